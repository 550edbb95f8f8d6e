from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .. import services
from ..models import Person


@pytest.mark.parametrize("name", ["cases-monitor", "cases-anonymise", "cases-import"])
def test_help_works(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        call_command(name, "--help")
    assert exit_.value.code == 0
    assert "usage" in capsys.readouterr().out


def test_the_anonymise_command_applies_the_retention(place):
    entry = services.register_entry_add(
        actor=place.inspector,
        person=place.person,
        category_code="preventive_register",
        basis_document="d",
        starts_on=dt.date(2010, 1, 1),
        term_ends_on=dt.date(2011, 1, 1),
        decided_by="dept",
    )
    services.register_entry_end(
        actor=place.inspector, entry=entry, ended_on=dt.date(2011, 1, 1), reason="term"
    )
    out = StringIO()
    call_command("cases-anonymise", "--date", "2026-06-01", stdout=out)
    assert "1 persons anonymised" in out.getvalue()
    assert Person.objects.get(pk=place.person.pk).anonymised_at is not None


def test_the_monitor_command_refuses_a_bad_date(db):
    with pytest.raises(CommandError, match="--date"):
        call_command("cases-monitor", "--date", "2026-13-01")


def test_the_daily_jobs_are_scheduled_after_the_daily_analysis():
    from mahalla.cases import tasks

    monitoring = tasks.cases_daily_monitoring.task_class().validate_datetime
    assert monitoring(dt.datetime(2026, 3, 1, 1, 30)) and not monitoring(dt.datetime(2026, 3, 1, 1, 0))
    assert tasks.cases_daily_retention.task_class().validate_datetime(dt.datetime(2026, 3, 1, 1, 45))
