"""The effect service end to end on the region scale imported into the database: the planted prevention
effect is found with its size through a roadmap of the intervention district, and a placebo completion date
a year earlier shows none. Slow (the import of ~27,000 offences)."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
from django.core.management import call_command

from mahalla.audit.models import AuditEvent
from mahalla.roadmaps.models import Measure, TerritoryLevel
from mahalla.roadmaps.services import roadmap_create_from_template, roadmap_effect_estimate
from mahalla.territory.models import District

from .factories import district_chief

TASHKENT = zoneinfo.ZoneInfo("Asia/Tashkent")


@pytest.mark.slow
@pytest.mark.django_db
def test_the_service_finds_the_planted_effect_and_no_effect_at_a_placebo_date(region_nation_files):
    call_command(
        "import", "territories", str(region_nation_files / "territories.csv"), no_progress=True, verbosity=0
    )
    call_command(
        "import", "offences", str(region_nation_files / "offences.csv"), no_progress=True, verbosity=0
    )
    truth = json.loads((region_nation_files / "truth.json").read_text(encoding="utf-8"))["planted"][
        "intervention"
    ]
    start = dt.date.fromisoformat(truth["start_date"])
    district = District.objects.get(code=truth["district_code"])
    chief = district_chief(district)

    roadmap = roadmap_create_from_template(
        actor=chief,
        level=TerritoryLevel.DISTRICT,
        code=district.code,
        period_kind="quarter",
        period_start=dt.date(start.year, 3 * ((start.month - 1) // 3) + 1, 1),
        template_keys=["property_crime"],
    )
    measure = roadmap.measures.first()
    measure.status = Measure.Status.DONE
    measure.completed_at = dt.datetime.combine(start, dt.time(9), tzinfo=TASHKENT)
    measure.save()

    found = roadmap_effect_estimate(
        actor=chief, roadmap_id=roadmap.pk, measure_id=measure.pk, permutations=199, random_state=7
    )
    assert found.intervention_date == start
    assert found.n_treated == district.mahallas.count()
    assert found.significant and found.p_value <= 0.05
    assert -0.40 <= found.relative_effect <= -0.20
    assert found.relative_ci_low <= -0.30 <= found.relative_ci_high
    assert found.parameters["dropped_partial_period"] == start.replace(day=1).isoformat()
    assert AuditEvent.objects.filter(object_type="roadmaps.effectestimate", object_id=str(found.pk)).exists()

    measure.completed_at = dt.datetime.combine(start - dt.timedelta(days=365), dt.time(9), tzinfo=TASHKENT)
    measure.save()
    placebo = roadmap_effect_estimate(
        actor=chief,
        roadmap_id=roadmap.pk,
        measure_id=measure.pk,
        last_day=start.replace(day=1) - dt.timedelta(days=1),
        permutations=199,
        random_state=7,
    )
    assert not placebo.significant
    print(
        f"\nplanted -30 %: found {found.relative_effect:+.3f} "
        f"[{found.relative_ci_low:+.3f}, {found.relative_ci_high:+.3f}] p={found.p_value:.3f}; "
        f"placebo {placebo.relative_effect:+.3f} "
        f"[{placebo.relative_ci_low:+.3f}, {placebo.relative_ci_high:+.3f}] p={placebo.p_value:.3f}"
    )
