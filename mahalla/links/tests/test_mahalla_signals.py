"""A dead-drop cluster found in a mahalla reaches the mahalla's explanation (the sentence itself:
web/tests/test_drop_cluster_sentence.py) and offers the roadmap template for it, for the roles that may
see the drug-network analysis only, inside their territory."""

from __future__ import annotations

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel
from mahalla.links.models import DropCluster
from mahalla.links.selectors import mahalla_drop_clusters
from mahalla.roadmaps.selectors import mahalla_template_suggestion

from .factories import narcotics_officer

pytestmark = pytest.mark.django_db


def _mahalla_with_clusters(loaded_world):
    for mahalla in (loaded_world["a"], loaded_world["b"]):
        count = DropCluster.objects.filter(mahalla=mahalla).count()
        if count:
            return mahalla, count
    pytest.fail("the world has no drop cluster in either mahalla")


def test_a_narcotics_officer_sees_the_drop_clusters_in_the_explanation_and_is_offered_the_template(
    loaded_world,
):
    mahalla, count = _mahalla_with_clusters(loaded_world)
    officer = narcotics_officer(mahalla)
    clusters = mahalla_drop_clusters(officer, mahalla)
    assert len(clusters) == count
    suggestion = mahalla_template_suggestion(actor=officer, mahalla=mahalla)
    assert "drug_drops" in suggestion["template_keys"]
    reason = next(r for r in suggestion["reasons"] if r["template"] == "drug_drops")
    assert (reason["factor"], reason["subject"], reason["count"]) == ("signal", "drop_cluster", count)


def test_other_roles_and_other_territories_get_neither_the_sentence_nor_the_template(loaded_world):
    mahalla, _count = _mahalla_with_clusters(loaded_world)
    other = loaded_world["b"] if mahalla == loaded_world["a"] else loaded_world["a"]
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=mahalla.district
    )
    outsider = narcotics_officer(other)
    for actor in (chief, outsider):
        assert mahalla_drop_clusters(actor, mahalla) == []
    suggestion = mahalla_template_suggestion(actor=chief, mahalla=mahalla)
    assert "drug_drops" not in suggestion["template_keys"]
    assert suggestion["factors"]["signal"] == {"drop_cluster": 0}
