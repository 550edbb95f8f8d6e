# Two commands set everything up on a fresh machine with Python 3.11 and make:
#   make demo   installs, builds the embedded demo nation and serves it
#   make test   installs and runs the whole test suite (SQLite unless DATABASE_URL is set)

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
STAMP := $(VENV)/.installed

.PHONY: install demo test test-browser check format serve bench clean messages

$(UV):
	@# Bootstrap uv with the machine's own Python when it is missing.
	$(PYTHON) -m pip install --user --quiet uv || $(PYTHON) -m pip install --quiet uv

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml | $(UV)
	test -x $(BIN)/python || $(UV) venv --quiet --python $(PYTHON) $(VENV)
	@# Bytecode compiled once at install: otherwise every process compiles Django, pandas and scipy from source
	@# until Python has written its cache (never, where PYTHONDONTWRITEBYTECODE is set): seconds per command.
	$(UV) pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.txt requirements-dev.txt
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	@# uv compiles site-packages only; the editable project's own modules (a third of a server worker's
	@# imports) would otherwise be compiled by every process until one may write its cache.
	$(BIN)/python -m compileall -q -j 0 mahalla config
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/mahalla demo

serve: install
	$(BIN)/mahalla serve

# Two pytest workers on two cores: each keeps BLAS to one thread so that they do not oversubscribe.
test: install
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile -q

check: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy mahalla/engine
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Only the browser tests (Debian's chromium driven by Playwright).
test-browser: install
	$(BIN)/python -m pytest -m browser -q

# Refresh the translation catalogues (needs Debian's gettext; the compiled .mo files are committed, so a
# fresh machine needs no gettext to run).
messages: install
	cd mahalla && ../$(BIN)/python ../manage.py makemessages -l uz -l ru -l en --no-obsolete
	cd mahalla && ../$(BIN)/python ../manage.py compilemessages

bench: install
	for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
