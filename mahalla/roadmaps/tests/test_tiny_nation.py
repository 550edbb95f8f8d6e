"""From the daily run to a roadmap on the tiny nation: a mahalla rated red by the real analysis gets a
roadmap from its explanation with the exemplary safe street and the templates its crimes point to."""

from __future__ import annotations

import pytest

from mahalla.analytics.frames import local_day_bounds
from mahalla.analytics.models import MahallaDayResult
from mahalla.analytics.services import analysis_run
from mahalla.incidents.models import Offence
from mahalla.roadmaps import selectors, services
from mahalla.territory.models import District

from .factories import district_chief


@pytest.mark.django_db
def test_a_red_mahalla_of_the_daily_run_gets_its_roadmap_from_the_explanation(tiny_nation):
    analysis_run(date=tiny_nation.as_of, parameters={"scan_permutations": 9})
    red = MahallaDayResult.objects.filter(date=tiny_nation.as_of, crime_class="red").select_related("mahalla")
    assert red.exists(), "the tiny nation has red mahallas on its last day"
    mahalla = red.first().mahalla
    chief = district_chief(District.objects.get(code=tiny_nation.district_code))

    suggestion = selectors.mahalla_template_suggestion(actor=chief, mahalla=mahalla)
    start, end = local_day_bounds(suggestion["first"], suggestion["last"])
    crimes = Offence.objects.filter(
        mahalla=mahalla, code_kind="criminal", occurred_at__gte=start, occurred_at__lt=end
    )
    assert suggestion["last"] == tiny_nation.as_of  # the window ends on the latest analysed day
    assert suggestion["factors"]["class"] == "red"
    assert suggestion["factors"]["total"] == crimes.count()
    assert suggestion["factors"]["category"].get("drugs", 0) == crimes.filter(category__code="drugs").count()
    roadmap = services.roadmap_create_from_explanation(
        actor=chief, mahalla_code=mahalla.code, period_kind="quarter", period_start=tiny_nation.as_of
    )
    assert roadmap.template_keys[0] == "safe_street"
    assert roadmap.template_keys == suggestion["template_keys"]
    # Every template beyond the safe street is backed by a factor over its threshold.
    for reason in roadmap.reasons:
        if reason["factor"] != "class":
            assert reason["share"] >= reason["min_share"] and reason["template"] in roadmap.template_keys
