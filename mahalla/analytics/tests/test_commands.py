"""`mahalla analyze` and the scheduled task: thin wrappers over analysis_run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from mahalla.analytics.models import DailyRun, MahallaDayResult
from mahalla.analytics.tasks import daily_analysis

from .factories import add_offences, days_back, grid_mahallas

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)


@pytest.fixture
def mahallas():
    places = grid_mahallas(rows=2, cols=2)
    add_offences(places[0], days_back(DAY, 10, step=30))
    return places


def test_a_backfill_analyses_every_date_of_the_range_once(mahallas, capsys):
    call_command("analyze", "--from", "2026-03-08", "--to", "2026-03-10", "--permutations", "9")

    assert sorted(DailyRun.objects.values_list("date", flat=True)) == [
        dt.date(2026, 3, 8),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 10),
    ]
    assert MahallaDayResult.objects.count() == 3 * 4
    assert "2026-03-10: 4 mahallas" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--date", "2026-03-10", "--from", "2026-03-01", "--to", "2026-03-02"],
            "either --date or --from/--to",
        ),
        (["--from", "2026-03-01"], "needs both --from and --to"),
        (["--from", "2026-03-05", "--to", "2026-03-01"], "is after --to"),
        (["--date", "10.03.2026"], "not a date in the form YYYY-MM-DD"),
        (["--date", "2999-01-01"], "future"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(mahallas, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("analyze", *arguments)
    assert not DailyRun.objects.filter(status=DailyRun.Status.DONE).exists()


def test_the_morning_task_analyses_the_day_before(mahallas):
    # Huey runs tasks inline in the test settings (immediate mode).
    daily_analysis()

    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert DailyRun.objects.get().date == yesterday
    assert MahallaDayResult.objects.filter(date=yesterday).count() == 4


def test_the_briefing_command_writes_a_pdf_of_the_district(mahallas, tmp_path):
    call_command("analyze", "--date", DAY.isoformat(), "--permutations", "9")
    out = tmp_path / "briefing.pdf"
    call_command(
        "briefing", "--date", DAY.isoformat(), "--territory", mahallas[0].district.code, "--out", str(out)
    )

    assert out.read_bytes().startswith(b"%PDF")


def test_the_briefing_command_refuses_a_date_that_was_not_analysed(mahallas, tmp_path):
    with pytest.raises(CommandError, match="has not been analysed"):
        call_command(
            "briefing", "--date", "2026-01-01", "--territory", "UZ", "--out", str(tmp_path / "b.pdf")
        )
