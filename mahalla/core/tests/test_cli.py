"""The `mahalla` console script as a user meets it: help in every language, usage errors instead of
tracebacks, the platform's commands first, hyphenated names, one language per run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.utils import translation

from mahalla import cli

LANGUAGES = ("uz", "ru", "en")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """`mahalla ARGV` in this process: (exit code, standard output, standard error)."""
    try:
        with translation.override(None):
            code = cli.main(list(argv))
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
        if isinstance(stop.code, str):
            sys.stderr.write(stop.code)
    finally:
        translation.deactivate()
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_command_has_a_help_in_every_language(capsys, language):
    failures = []
    for name in sorted(get_commands()):
        code, out, err = run(capsys, "--lang", language, name, "--help")
        if code != 0 or f"mahalla {name}" not in out or "Traceback" in out + err:
            failures.append(f"{name}: exit {code}: {(err or out)[-300:]}")
    assert not failures, "\n".join(failures)


def test_the_cyber_commands_are_mahalla_commands_and_among_those_whose_help_is_run():
    from django.core.management import load_command_class

    from mahalla.core.management.base import MahallaCommand

    # get_commands() is what test_every_command_has_a_help_in_every_language runs --help of.
    cyber = {name: app for name, app in get_commands().items() if name.startswith("cyber-")}
    assert set(cyber) == {"cyber-train", "cyber-link", "cyber-import"}
    plain = [n for n, app in cyber.items() if not isinstance(load_command_class(app, n), MahallaCommand)]
    assert not plain, plain


def test_a_command_s_help_is_in_the_language_of_the_run(capsys):
    texts = {language: run(capsys, "--lang", language, "import", "--help")[1] for language in LANGUAGES}
    assert "Import territories" in texts["en"]
    assert "Импорт территорий" in texts["ru"]
    assert "Hududlarni" in texts["uz"]


def test_the_overview_lists_the_platform_s_commands_before_django_s(capsys):
    code, out, _ = run(capsys, "--lang", "en", "--help")
    assert code == 0
    platform_heading = out.index("The platform's commands:")
    django_heading = out.index("Django's commands")
    for name in ("analyze", "import", "generate", "demo", "serve", "briefing", "user-create"):
        assert platform_heading < out.index(f"\n  {name} ") < django_heading, name
    assert out.index("migrate") > django_heading


# argparse's and Django's own English texts of a command's help, as the libraries write them.
LIBRARY_ENGLISH = (
    "usage:",
    "options:",
    "positional arguments:",
    "show this help message and exit",
    "Show program's version number and exit.",
    "Verbosity level; 0=minimal output",
    "The Python path to a settings module",
    "A directory to add to the Python path, e.g.",
    "Display a full stack trace on CommandError exceptions.",
    "Don't colorize the command output.",
    "Force colorization of the command output.",
    "Skip system checks.",
)


@pytest.mark.parametrize("language", ["uz", "ru"])
def test_argparse_s_and_django_s_texts_of_every_platform_command_go_through_the_catalogue(capsys, language):
    """The headings, the help option, "usage:" and Django's default options are the platform's own texts in
    the run's language, and Django's options stand under their own heading after the command's."""
    from mahalla.core.management.base import _django_option_help

    with translation.override(language):
        usage = translation.pgettext("argparse", "usage: ")
        options = translation.pgettext("argparse", "options")
        common = translation.gettext("common options (Django)")
        helps = _django_option_help()
    failures = []
    for name in sorted(n for n, app in get_commands().items() if app.startswith("mahalla.")):
        code, out, _ = run(capsys, "--lang", language, name, "--help")
        texts = (
            usage + "mahalla",
            f"\n{options}:",
            f"\n{common}:",
            helps["verbosity"][:30],
            helps["traceback"],
        )
        # `engine` hands its arguments to the tool it names: a usage line and its description, no sections.
        missing = [t for t in (texts if name != "engine" else texts[:1]) if t not in out]
        django_english = [t for t in LIBRARY_ENGLISH[4:] if t in out]
        in_order = name == "engine" or missing or out.index(f"\n{options}:") < out.index(f"\n{common}:")
        if code != 0 or missing or django_english or not in_order:
            failures.append(f"{name}: missing {missing}, Django's English {django_english}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("language", ["uz", "ru"])
def test_no_english_argparse_or_django_phrase_in_any_platform_command_s_help(capsys, language):
    from mahalla.core.management import argparse_texts
    from mahalla.core.management.base import _django_option_help

    with translation.override("en"):
        english = [*_django_option_help().values()]
        argparse_english = [str(text) for text in argparse_texts._EXTRACTED]
    with translation.override(language):
        untranslated = [text for text in english if translation.gettext(text) == text]
        untranslated += [t for t in argparse_english if translation.pgettext("argparse", t) == t]
    assert not untranslated, f"{language} catalogue lacks the help texts {untranslated}"
    failures = []
    for name in sorted(n for n, app in get_commands().items() if app.startswith("mahalla.")):
        code, out, _ = run(capsys, "--lang", language, name, "--help")
        english = [t for t in LIBRARY_ENGLISH if t in out]
        if code != 0 or english:
            failures.append(f"{name}: {english}")
    assert not failures, "\n".join(failures)


def test_platform_commands_are_named_with_hyphens_and_the_old_underscore_name_still_works(capsys):
    ours = [name for name, app in get_commands().items() if app.startswith("mahalla.")]
    assert not [name for name in ours if "_" in name]
    code, out, _ = run(capsys, "--lang", "en", "user_create", "--help")
    assert code == 0 and "usage: mahalla user-create" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze", "--date", "2026-13-01"], "'2026-13-01' is not a date in the form YYYY-MM-DD"),
        (
            ["briefing", "--date", "yesterday", "--territory", "UZ", "--out", "x.pdf"],
            "'yesterday' is not a date",
        ),
        (["generate", "--as-of", "1.1.2026"], "'1.1.2026' is not a date"),
        (["measures-overdue", "--date", "2026-02-30"], "'2026-02-30' is not a date"),
        (["import", "regions", "file.csv"], "invalid choice: 'regions'"),
    ],
)
def test_bad_arguments_are_a_usage_error_not_a_traceback(capsys, argv, message):
    code, out, err = run(capsys, "--lang", "en", *argv)
    assert code == 2
    assert message in err
    assert "usage: mahalla" in err
    assert "Traceback" not in out + err


@pytest.mark.parametrize("language", ["uz", "ru"])
@pytest.mark.parametrize(
    "argv",
    [
        ["import"],  # the following arguments are required
        ["analyze", "--bogus"],  # unrecognized arguments
        ["demo", "--scale", "huge"],  # argument --scale: invalid choice
        ["analyze", "--permutations", "many"],  # invalid int value
        ["analyze", "--date"],  # expected one argument
        ["migrate", "--plan", "--bogus"],  # Django's own command
    ],
)
def test_a_usage_error_is_in_the_language_of_the_run(capsys, language, argv):
    code, out, err = run(capsys, "--lang", language, *argv)
    error_line = err.strip().splitlines()[-1]  # the usage line above it names options such as --skip-invalid
    english = [
        phrase
        for phrase in ("error:", "argument", "required", "unrecognized", "invalid", "expected", "choose")
        if phrase in error_line.replace("--bogus", "")
    ] + (["usage:"] if "usage:" in err else [])
    assert code == 2 and "Traceback" not in out + err
    assert not english, f"English in a {language} usage error: {english}\n{err}"


@pytest.mark.parametrize("language", ["uz", "ru"])
def test_django_s_own_commands_have_their_usage_and_headings_in_the_language_of_the_run(capsys, language):
    code, out, _ = run(capsys, "--lang", language, "migrate", "--help")
    with translation.override(language):
        usage = translation.pgettext("argparse", "usage: ")
        options = translation.pgettext("argparse", "options")
    assert code == 0 and out.startswith(usage + "mahalla migrate") and f"\n{options}:" in out


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_mistyped_command_names_the_nearest_commands_in_the_language_of_the_run(capsys, language):
    code, out, err = run(capsys, "--lang", language, "analyse")
    assert code == 1 and "Traceback" not in out + err
    assert "'analyse'" in err and "analyze" in err
    with translation.override(language):
        assert translation.gettext("Type 'mahalla --help' for the list of commands.") in err


def test_an_unknown_language_is_refused_with_the_choices(capsys):
    code, _, err = run(capsys, "--lang", "de", "--help")
    assert code == 1
    assert "'de'" in err and "uz, ru, en" in err


@pytest.mark.django_db
def test_the_system_check_says_nothing_about_sqlite_s_nulls_distinct(capsys):
    call_command("check", "--database", "default")
    out, err = capsys.readouterr()
    assert "W047" not in out + err
    assert "no issues" in out


def test_the_console_script_starts_without_loading_the_science(tmp_path):
    """A separate process, as a user runs it: `mahalla --help` and a command's help in Russian, and neither
    pandas, scipy nor the engine is imported to show them."""
    probe = (
        "import sys\n"
        "from mahalla import cli\n"
        "try:\n"
        "    cli.main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('pandas', 'scipy', 'mahalla.engine.autocorrelation', 'shapely')\n"
        "print('HEAVY', [m for m in heavy if m in sys.modules])\n"
    )
    root = Path(__file__).resolve().parents[3]
    environment = {"MAHALLA_VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for argv in (["--help"], ["--lang", "ru", "analyze", "--help"], ["--lang", "ru", "demo", "--help"]):
        done = subprocess.run(
            [sys.executable, "-c", probe, *argv],
            cwd=root,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert "HEAVY []" in done.stdout, (argv, done.stdout[-400:])
        assert "Traceback" not in done.stderr
