"""The tiny nation through the real importers, and the `demo` command (generation, import, accounts)."""

import re
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from mahalla.accounts.models import User
from mahalla.core.roles import Role, ScopeLevel
from mahalla.incidents.models import ImportBatch, Offence
from mahalla.territory.models import District, LawAndOrderPost, Mahalla


def test_tiny_nation_imports_every_row_through_the_importers(tiny_nation):
    assert Mahalla.objects.count() == 30
    assert set(Mahalla.objects.values_list("code", flat=True)) == set(tiny_nation.mahalla_codes)
    assert LawAndOrderPost.objects.filter(mahalla__district__code=tiny_nation.district_code).count() == 30
    assert Offence.objects.count() == tiny_nation.offences
    assert Offence.objects.filter(code_kind="criminal").count() == tiny_nation.crimes
    district = District.objects.get(code=tiny_nation.district_code)
    assert district.boundary is not None
    assert sum(Mahalla.objects.values_list("population", flat=True)) == district.population


def test_the_importers_put_generated_cyber_fraud_in_the_cyber_category(tiny_nation):
    card_fraud = Offence.objects.filter(article="168", bank_card=True)
    assert card_fraud.exists()
    assert set(card_fraud.values_list("category__code", flat=True)) == {"cyber"}
    assert set(Offence.objects.filter(article="277").values_list("category__code", flat=True)) == {
        "hooliganism"
    }


def test_tiny_nation_reimport_adds_nothing(tiny_nation):
    before = Offence.objects.count()
    call_command(
        "import", "offences", str(tiny_nation.directory / "offences.csv"), no_progress=True, verbosity=0
    )
    assert Offence.objects.count() == before


@pytest.fixture
def demo_var(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    return tmp_path


def _run_demo(capsys):
    call_command(
        "demo", "--scale", "tiny", "--seed", "4", "--as-of", "2026-01-01", "--no-serve", "--no-analyze"
    )
    return capsys.readouterr().out


@pytest.mark.django_db
def test_demo_creates_one_account_per_role_and_prints_working_passwords_once(demo_var, capsys):
    output = _run_demo(capsys)
    assert (demo_var / "demo" / "4" / "tiny" / "manifest.json").is_file()
    assert "http://127.0.0.1:8000/" in output
    for role in Role:
        user = User.objects.get(username=f"demo_{role.value}")
        match = re.search(rf"demo_{role.value}\s+(\S+)", output)
        assert match, role
        password = match.group(1)
        assert user.check_password(password)
        assert password not in user.password  # stored hashed only
        assert user.role == role
    assert User.objects.get(username="demo_national_analyst").scope_level == ScopeLevel.COUNTRY
    chief = User.objects.get(username="demo_district_chief")
    assert chief.scope_level == ScopeLevel.DISTRICT and chief.scope_district.code == "1726273"
    inspector = User.objects.get(username="demo_preventive_inspector")
    assert inspector.scope_level == ScopeLevel.MAHALLAS and inspector.scope_mahallas.count() == 1
    # The responsible official answers for the three mahallas with most crimes in the district.
    crimes = Counter(Offence.objects.filter(code_kind="criminal").values_list("mahalla__code", flat=True))
    official = User.objects.get(username="demo_responsible_official")
    assigned = set(official.scope_mahallas.values_list("code", flat=True))
    assert len(assigned) == 3
    assert min(crimes[code] for code in assigned) >= sorted(crimes.values(), reverse=True)[2]
    assert not User.objects.get(username="demo_investigator").is_staff
    assert User.objects.get(username="demo_administrator").is_superuser


@pytest.mark.django_db
def test_demo_reuses_the_cached_nation_and_skips_an_import_already_done(demo_var, capsys):
    _run_demo(capsys)
    batches = ImportBatch.objects.count()
    offences = Offence.objects.count()
    first_password = User.objects.get(username="demo_prosecutor").password
    output = _run_demo(capsys)
    assert "generate (cached)" in output
    assert "nothing new" in output
    assert ImportBatch.objects.count() == batches
    assert Offence.objects.count() == offences
    # Every start prints new passwords: the old one no longer works.
    assert User.objects.get(username="demo_prosecutor").password != first_password


@pytest.mark.django_db
def test_demo_regenerates_when_the_cached_files_were_altered(demo_var, capsys):
    _run_demo(capsys)
    offences_file = demo_var / "demo" / "4" / "tiny" / "offences.csv"
    offences_file.write_text(offences_file.read_text(encoding="utf-8")[:-200], encoding="utf-8")
    output = _run_demo(capsys)
    assert "generate (cached)" not in output
    assert date(2026, 1, 1).isoformat() in (demo_var / "demo" / "4" / "tiny" / "manifest.json").read_text()


@pytest.mark.django_db
def test_demo_without_a_date_keeps_serving_the_nation_it_built(demo_var, capsys):
    _run_demo(capsys)  # built for 2026-01-01
    call_command("demo", "--scale", "tiny", "--seed", "4", "--no-serve", "--no-analyze")
    output = capsys.readouterr().out
    assert "generate (cached)" in output and "nothing new" in output


@pytest.mark.django_db
def test_demo_refuses_to_load_a_second_nation_on_top_of_another(demo_var, capsys):
    _run_demo(capsys)
    with pytest.raises(CommandError, match="already holds offences that are not this demo nation's"):
        call_command(
            "demo", "--scale", "tiny", "--seed", "4", "--as-of", "2025-06-01", "--no-serve", "--no-analyze"
        )


@pytest.mark.django_db
def test_demo_analyses_the_last_day_and_a_weekly_history_once(demo_var, capsys):
    daily_run = pytest.importorskip("mahalla.analytics.models").DailyRun
    arguments = ("demo", "--scale", "tiny", "--seed", "4", "--as-of", "2026-01-01", "--no-serve")
    call_command(*arguments, "--history-weeks", "2")
    first = capsys.readouterr().out
    assert "daily analysis of 2025-12-31:" in first
    assert "analysis of 2 earlier weeks:" in first
    # The last day first (the pages open on it; with the server, the earlier weeks are analysed after it
    # answers), then the earlier weeks oldest first.
    assert list(daily_run.objects.order_by("pk").values_list("date", "status")) == [
        (date(2025, 12, 31), "done"),
        (date(2025, 12, 17), "done"),
        (date(2025, 12, 24), "done"),
    ]
    call_command(*arguments, "--history-weeks", "2")
    again = capsys.readouterr().out
    assert "daily analysis (already done)" in again and "earlier weeks" not in again
    assert daily_run.objects.count() == 3


@pytest.mark.django_db
def test_demo_analyses_the_last_week_of_an_earlier_year_before_the_story(demo_var, capsys):
    """The officials' proposals of the story read each year's last analysed class: the history's last date
    in the year before is analysed with the last day, not after."""
    daily_run = pytest.importorskip("mahalla.analytics.models").DailyRun
    call_command(
        "demo",
        "--scale",
        "tiny",
        "--seed",
        "4",
        "--as-of",
        "2026-01-10",
        "--no-serve",
        "--history-weeks",
        "2",
    )
    output = capsys.readouterr().out
    assert "daily analysis of 2025-12-26, 2026-01-09:" in output
    assert "analysis of 1 earlier week:" in output
    assert list(daily_run.objects.order_by("pk").values_list("date", flat=True)) == [
        date(2025, 12, 26),
        date(2026, 1, 9),
        date(2026, 1, 2),
    ]
