"""The daily run: what it stores, that a re-run replaces only its date, and the alerts it raises."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.analytics import pipeline
from mahalla.analytics.models import AggregateDayResult, Alert, DailyRun, MahallaDayResult
from mahalla.analytics.services import alert_acknowledge, alert_assign, analysis_run
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel
from mahalla.territory.tests.factories import reference_district

from .factories import DISTRICT_CODE, OTHER_DISTRICT_CODE, add_offences, days_back, grid_mahallas

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 3, 10)
FAST = {"scan_permutations": 19}


@pytest.fixture
def scene():
    """16 mahallas in one district and 4 in another; G00 has many violent offences all year, G33 none,
    the others one theft every two months; G01 gets a burst of violent offences on DAY only."""
    mahallas = {m.code: m for m in grid_mahallas()}
    mahallas.update({m.code: m for m in grid_mahallas(OTHER_DISTRICT_CODE, rows=2, cols=2, prefix="H")})
    for code, mahalla in mahallas.items():
        if code in {"G00", "G33"}:
            continue
        add_offences(mahalla, days_back(DAY - dt.timedelta(days=3), 12, step=60))
    add_offences(mahallas["G00"], days_back(DAY, 40, step=9), category="violent")
    add_offences(mahallas["G01"], [DAY], category="violent", per_day=30)
    return mahallas


def test_a_run_stores_one_result_per_mahalla_and_the_run_record(scene):
    run = analysis_run(date=DAY, parameters=FAST)

    assert run.status == DailyRun.Status.DONE
    assert run.mahallas == 20
    assert MahallaDayResult.objects.filter(date=DAY).count() == 20
    assert run.duration_seconds > 0
    assert {"load", "classification", "space_time_scan", "store"} <= set(run.timings)
    assert run.parameters["scan_permutations"] == 19
    assert "numpy" in run.versions and "django" in run.versions


def test_the_class_follows_the_offences_and_is_explained(scene):
    analysis_run(date=DAY, parameters=FAST)
    result = {r.mahalla.code: r for r in MahallaDayResult.objects.filter(date=DAY).select_related("mahalla")}

    assert result["G33"].crime_class == "green"
    assert result["G33"].explanation["no_crime"] is True
    assert result["G00"].crime_class == "red"
    assert result["G00"].explanation["severity"] is True
    assert result["G00"].explanation["weighted_score"] == 160.0  # 40 violent offences x weight 4
    assert result["G12"].crime_class == "yellow"
    assert "yellow" in result["G12"].explanation["sentence"]


def test_counts_by_category_match_the_offences_of_the_window(scene):
    analysis_run(date=DAY, parameters=FAST)
    g00 = MahallaDayResult.objects.get(date=DAY, mahalla=scene["G00"])
    g01 = MahallaDayResult.objects.get(date=DAY, mahalla=scene["G01"])

    # 40 offences 9 days apart span 351 days: all inside the 365-day window.
    assert g00.counts == {"violent": 40}
    assert g01.counts == {"violent": 30, "theft": 7}  # thefts every 60 days within the last 365 days
    assert g01.total_day == 30


def test_an_offence_late_in_the_tashkent_evening_counts_on_that_day(scene):
    late = scene["G33"]
    add_offences(late, [DAY], hour=23)  # 23:30 Tashkent is 18:30 UTC of the same day
    add_offences(late, [DAY + dt.timedelta(days=1)], hour=0)  # 00:30 Tashkent is still DAY in UTC
    analysis_run(date=DAY, parameters=FAST)

    assert MahallaDayResult.objects.get(date=DAY, mahalla=late).total_day == 1


def test_re_running_a_date_replaces_its_results_and_nothing_else(scene):
    earlier = DAY - dt.timedelta(days=1)
    analysis_run(date=earlier, parameters=FAST)
    earlier_rows = list(
        MahallaDayResult.objects.filter(date=earlier).values_list("pk", "crime_class", "total_window")
    )
    analysis_run(date=DAY, parameters=FAST)
    add_offences(scene["G33"], [DAY], category="drugs")
    second = analysis_run(date=DAY, parameters=FAST)

    assert MahallaDayResult.objects.filter(date=DAY).count() == 20
    assert set(MahallaDayResult.objects.filter(date=DAY).values_list("run_id", flat=True)) == {second.pk}
    assert MahallaDayResult.objects.get(date=DAY, mahalla=scene["G33"]).counts == {"drugs": 1}
    assert (
        list(MahallaDayResult.objects.filter(date=earlier).values_list("pk", "crime_class", "total_window"))
        == earlier_rows
    )
    assert AggregateDayResult.objects.filter(date=DAY, level="country").count() == 1


def test_an_alert_is_raised_when_a_mahalla_turns_red_not_while_it_stays_red(scene):
    analysis_run(date=DAY - dt.timedelta(days=1), parameters=FAST)
    analysis_run(date=DAY, parameters=FAST)
    turned_red = set(
        Alert.objects.filter(date=DAY, kind="turned_red").values_list("mahalla__code", flat=True)
    )

    assert (
        MahallaDayResult.objects.get(date=DAY - dt.timedelta(days=1), mahalla=scene["G01"]).crime_class
        != "red"
    )
    assert MahallaDayResult.objects.get(date=DAY, mahalla=scene["G01"]).crime_class == "red"
    assert "G01" in turned_red
    assert "G00" not in turned_red  # red the day before as well


def test_aggregates_count_no_crime_mahallas_cyber_share_and_social_flags(scene):
    add_offences(scene["H00"], [DAY - dt.timedelta(days=2)], category="cyber", per_day=3, involves_woman=True)
    add_offences(scene["H01"], [DAY - dt.timedelta(days=2)], category="fraud", involves_minor=True)
    analysis_run(date=DAY, parameters=FAST)
    district = AggregateDayResult.objects.get(
        date=DAY, level="district", district=reference_district(OTHER_DISTRICT_CODE)
    )
    country = AggregateDayResult.objects.get(date=DAY, level="country")

    # H mahallas: a theft every 60 days back from DAY-3, 12 of them. In 2026 (from 1 January) that is DAY-3
    # and DAY-63; in the 12-month window DAY-3 ... DAY-363, 7 of them.
    assert district.mahallas == 4
    assert district.total_year == 4 * 2 + 3 + 1
    assert district.total_window == 4 * 7 + 3 + 1
    assert district.cyber_share == pytest.approx(3 / 32, abs=1e-4)  # stored to 4 decimals
    assert district.counts["theft"] == 28 and district.counts["cyber"] == 3
    assert district.women == 3 and district.minors == 1
    # In the whole country only G33 has no offence in the last 12 months.
    assert country.mahallas_no_crime == 1
    assert country.red + country.yellow + country.green == 20


def test_an_acknowledged_alert_survives_a_re_run(scene):
    analysis_run(date=DAY, parameters=FAST)
    alert = Alert.objects.get(date=DAY, kind="turned_red", mahalla=scene["G01"])
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )
    alert_acknowledge(actor=chief, alert_id=alert.pk)
    analysis_run(date=DAY, parameters=FAST)

    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert alert.acknowledged_by == chief


def test_a_chief_of_another_district_cannot_acknowledge_or_assign_the_alert(scene):
    analysis_run(date=DAY, parameters=FAST)
    alert = Alert.objects.get(date=DAY, kind="turned_red", mahalla=scene["G01"])
    other = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(OTHER_DISTRICT_CODE),
    )

    with pytest.raises(AccessDenied):
        alert_acknowledge(actor=other, alert_id=alert.pk)
    with pytest.raises(AccessDenied):
        alert_assign(actor=other, alert_id=alert.pk, assignee=other)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN


def test_an_alert_can_only_be_assigned_to_someone_who_sees_the_mahalla(scene):
    analysis_run(date=DAY, parameters=FAST)
    alert = Alert.objects.get(date=DAY, kind="turned_red", mahalla=scene["G01"])
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=reference_district(DISTRICT_CODE),
    )
    official = UserFactory(
        role=Role.RESPONSIBLE_OFFICIAL, scope_level=ScopeLevel.MAHALLAS, mahallas=[scene["G01"]]
    )
    outsider = UserFactory(
        role=Role.RESPONSIBLE_OFFICIAL, scope_level=ScopeLevel.MAHALLAS, mahallas=[scene["G02"]]
    )

    with pytest.raises(ApplicationError, match="cannot see this mahalla"):
        alert_assign(actor=chief, alert_id=alert.pk, assignee=outsider)
    alert_assign(actor=chief, alert_id=alert.pk, assignee=official)
    alert.refresh_from_db()
    assert alert.assigned_to == official and alert.assigned_by == chief


def test_a_future_date_is_refused():
    with pytest.raises(ApplicationError, match="future"):
        analysis_run(date=dt.date(2999, 1, 1))


def test_an_unknown_parameter_is_refused_by_name(scene):
    with pytest.raises(ApplicationError, match="scan_permutation"):
        analysis_run(date=DAY, parameters={"scan_permutation": 9})


def test_a_burst_of_offences_on_the_day_is_a_spike_and_a_quiet_mahalla_is_not(scene):
    run = analysis_run(date=DAY, parameters=FAST)
    burst = MahallaDayResult.objects.get(date=DAY, mahalla=scene["G01"])
    quiet = MahallaDayResult.objects.get(date=DAY, mahalla=scene["G12"])

    assert run.timings["spikes"] >= 0
    # 30 violent offences in one day where G01 never had a violent offence before.
    assert burst.spike is True
    assert burst.spike_detail["violent"]["observed"] == 30
    assert quiet.spike is False
    assert Alert.objects.filter(date=DAY, kind="spike", mahalla=scene["G01"]).exists()


def test_without_a_stored_day_before_the_run_compares_with_the_class_it_computes_for_that_day(scene):
    analysis_run(date=DAY, parameters=FAST)  # the first run: nothing stored for DAY - 1
    turned_red = set(
        Alert.objects.filter(date=DAY, kind="turned_red").values_list("mahalla__code", flat=True)
    )
    g00 = MahallaDayResult.objects.get(date=DAY, mahalla=scene["G00"])

    assert turned_red == {"G01"}  # G00 was already red the day before; G01's burst is on DAY
    assert g00.previous_class == "red"
    assert MahallaDayResult.objects.get(date=DAY, mahalla=scene["G01"]).previous_class != "red"


def stored_results(date: dt.date) -> list[dict[str, object]]:
    return [
        {key: value for key, value in row.items() if key not in {"id", "run_id"}}
        for row in MahallaDayResult.objects.filter(date=date).order_by("mahalla_id").values()
    ]


def test_the_overlapped_steps_store_what_the_steps_one_after_another_store(scene, monkeypatch):
    # Test workers run threads of their own, which keep the run from forking; here it is made to fork.
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    monkeypatch.setenv("MAHALLA_DAILY_RUN_OVERLAP", "0")
    analysis_run(date=DAY, parameters=FAST)
    one_after_another = stored_results(DAY)
    monkeypatch.setenv("MAHALLA_DAILY_RUN_OVERLAP", "1")
    run = analysis_run(date=DAY, parameters=FAST)
    assert {"spikes", "forecast_cells"} <= set(run.timings)
    assert stored_results(DAY) == one_after_another
    assert any(row["spike"] for row in one_after_another)


def test_an_overlapped_step_runs_in_a_child_and_its_error_reaches_the_caller(monkeypatch):
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)
    monkeypatch.delenv("MAHALLA_DAILY_RUN_OVERLAP", raising=False)
    assert pipeline._overlapped(os.getpid)() != os.getpid()

    def failing() -> None:
        raise ValueError("too little history")

    waiting = pipeline._overlapped(failing)
    with pytest.raises(ValueError, match="too little history"):
        waiting()
    monkeypatch.setenv("MAHALLA_DAILY_RUN_OVERLAP", "0")
    assert pipeline._overlapped(os.getpid)() == os.getpid()
