"""`mahalla import-officials` (all or nothing, errors naming row, column, value and reason) and
`mahalla assign-officials`, the latter end to end on the tiny nation."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from mahalla.audit.models import AuditEvent
from mahalla.officials.models import Assignment, Official
from mahalla.territory.tests.factories import reference_district

from .factories import DISTRICT_CODE

pytestmark = pytest.mark.django_db

HEADER = "official_id,level,territory_code,position,title_uz,name,organisation,phone\n"


def write(tmp_path, body: str):
    path = tmp_path / "officials.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_a_valid_file_creates_then_updates_officials_by_their_identifier(tmp_path):
    region_code = reference_district(DISTRICT_CODE).region.code
    path = write(
        tmp_path,
        f"OF1,district,{DISTRICT_CODE},hokim,Tuman hokimi,Karimov Anvar,Tuman hokimligi,+998 71 123-45-67\n"
        f"OF2,region,{region_code},national_guard_head,Boshliq,Aliyeva Dilnoza,Milliy gvardiya,\n"
        "OF3,country,,law_university_head,Rahbar,Usmonov Bek,TDYU,\n",
    )
    out = io.StringIO()
    call_command("import-officials", str(path), stdout=out)
    assert "3 new" in out.getvalue()
    hokim = Official.objects.get(external_id="OF1")
    assert (hokim.level, hokim.district.code, hokim.region.code) == ("district", DISTRICT_CODE, region_code)
    assert Official.objects.get(external_id="OF3").region is None

    path.write_text(
        path.read_text(encoding="utf-8").replace("Karimov Anvar", "Karimov Anvarjon"), encoding="utf-8"
    )
    out = io.StringIO()
    call_command("import-officials", str(path), stdout=out)
    assert "0 new, 1 updated, 2 unchanged" in out.getvalue()
    assert Official.objects.get(external_id="OF1").name == "Karimov Anvarjon"
    assert AuditEvent.objects.filter(action="import", object_type="officials.official").count() == 2


def test_a_file_with_an_invalid_row_changes_nothing_and_names_row_column_value_and_reason(tmp_path):
    path = write(
        tmp_path,
        f"OF1,district,{DISTRICT_CODE},hokim,Tuman hokimi,Karimov Anvar,Tuman hokimligi,\n"
        "OF2,district,9999999,hokim,Tuman hokimi,Aliyev Bek,Tuman hokimligi,\n"
        "OF3,planet,,hokim,Hokim,Nomsiz,Hokimlik,\n"
        f"OF1,district,{DISTRICT_CODE},prosecutor,Prokuror,Ikkinchi,Prokuratura,\n"
        "OF5,country,1703,law_university_head,Rahbar,,TDYU,\n",
    )
    with pytest.raises(CommandError) as caught:
        call_command("import-officials", str(path))
    message = str(caught.value)
    assert "nothing was changed" in message
    assert "row 2, column territory_code, value '9999999': no district with this code" in message
    assert "row 3, column level, value 'planet': must be one of" in message
    assert "row 4, column official_id, value 'OF1': duplicate: also in row 1" in message
    assert "row 5, column name, value '': required" in message
    assert "row 5, column territory_code, value '1703': must be empty" in message
    assert Official.objects.count() == 0


def test_a_missing_column_refuses_the_file(tmp_path):
    path = tmp_path / "officials.csv"
    path.write_text("official_id,level\nOF1,country\n", encoding="utf-8")
    with pytest.raises(CommandError, match="position"):
        call_command("import-officials", str(path))


def test_a_year_without_analysis_is_a_command_error():
    with pytest.raises(CommandError, match="No finished daily analysis in 2024"):
        call_command("assign-officials", "--year", "2024")


@pytest.mark.slow
def test_the_tiny_nation_gets_its_red_mahallas_assigned_to_its_district_leaders(tiny_nation):
    from mahalla.analytics.models import MahallaDayResult
    from mahalla.analytics.services import analysis_run

    call_command("import-officials", str(tiny_nation.directory / "officials.csv"), verbosity=0)
    analysis_run(date=tiny_nation.as_of, parameters={"scan_permutations": 19})
    year = tiny_nation.as_of.year
    red = set(
        MahallaDayResult.objects.filter(date=tiny_nation.as_of, crime_class="red").values_list(
            "mahalla__code", flat=True
        )
    )
    assert red, "the tiny nation plants red mahallas"

    out = io.StringIO()
    call_command("assign-officials", "--year", str(year), "--dry-run", "--json", stdout=out)
    dry = json.loads(out.getvalue())
    assert Assignment.objects.count() == 0
    grave = [row for row in dry["proposed"] if row["rule"] == "grave_red"]
    unassigned = [row for row in dry["unassigned"] if row["rule"] == "grave_red"]
    # Every red mahalla is either given a district leader or reported with the reason it was not.
    assert {row["code"] for row in grave} | {row["code"] for row in unassigned} == red
    leaders = set(Official.objects.filter(level="district").values_list("position", flat=True))
    assert {row["position"] for row in grave} <= leaders

    out = io.StringIO()
    call_command("assign-officials", "--year", str(year), stdout=out)
    assert Assignment.objects.filter(status="proposed").count() == dry["proposed_count"]
    assert "proposed" in out.getvalue()
    # Proposing again in the same year adds nothing: every target keeps its assignment.
    out = io.StringIO()
    call_command("assign-officials", "--year", str(year), "--json", stdout=out)
    again = json.loads(out.getvalue())
    assert again["proposed_count"] == 0 and again["kept"] == dry["proposed_count"]


def test_the_morning_task_proposes_for_a_mahalla_that_turned_red_yesterday():
    from django.utils import timezone

    from mahalla.officials.models import AssignmentRuleConfig
    from mahalla.officials.tasks import assignments_daily_handover

    from .factories import classes_write, mahallas_in, official_create

    AssignmentRuleConfig.objects.exclude(code="grave_red").update(active=False)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    (mahalla,) = mahallas_in(DISTRICT_CODE, 1, "M")
    official_create("hokim", territory=reference_district(DISTRICT_CODE), name="Hokim")
    assert assignments_daily_handover.call_local() is None  # yesterday not analysed yet: nothing to do
    classes_write({yesterday.year: {mahalla: "red"}}, day=(yesterday.month, yesterday.day))

    outcome = assignments_daily_handover.call_local()

    assert [row["code"] for row in outcome.proposed] == [mahalla.code]
    assert Assignment.objects.get().official.name == "Hokim"
