"""The pages and the API: shops paged, the dossier with suppliers, key players, evidence with provenance, its
PDF; 404 outside the role or territory."""

from __future__ import annotations

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel
from mahalla.links.models import DropCluster, Entity

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(loaded_world):
    return UserFactory(role=Role.NATIONAL_ANALYST, scope_level=ScopeLevel.COUNTRY)


def test_the_dossier_shows_the_true_supplier_first_with_reasons_key_players_and_evidence(
    client, analyst, links_small_world
):
    client.force_login(analyst)
    truth = links_small_world.truth["shops"][0]
    shop = Entity.objects.get(schema="Shop", key=f"Shop:{truth['shop']}")
    response = client.get(f"/links/shops/{shop.pk}/")
    assert response.status_code == 200
    analysis = response.context["analysis"]
    assert analysis.suppliers[0]["entity"].caption == truth["suppliers"][0]
    assert analysis.key_players and analysis.simulation["after_removal"] >= analysis.simulation["before"]
    html = response.content.decode()
    assert 'id="network-graph"' in html and "payment with Courier" in html
    assert "Criminal Procedure Code" in html  # evidence rows name their legal basis


def test_the_dossier_exports_as_pdf(client, analyst):
    client.force_login(analyst)
    shop = Entity.objects.filter(schema="Shop").first()
    response = client.get(f"/links/shops/{shop.pk}/dossier.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_pages_are_404_for_other_roles_and_other_territories(client, loaded_world):
    chief = UserFactory(
        role=Role.DISTRICT_CHIEF, scope_level=ScopeLevel.DISTRICT, scope_district=loaded_world["a"].district
    )
    client.force_login(chief)
    assert client.get("/links/").status_code == 404
    assert client.get("/api/links/entities/").status_code in (403, 404)
    officer = UserFactory(
        role=Role.NARCOTICS_OFFICER,
        scope_level=ScopeLevel.DISTRICT,
        scope_district=loaded_world["a"].district,
    )
    client.force_login(officer)
    elsewhere = Entity.objects.filter(district=loaded_world["b"].district).first()
    assert client.get(f"/links/entities/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/api/links/entities/{elsewhere.pk}/").status_code == 404
    assert client.get("/links/").status_code == 200


def test_the_map_lists_clusters_with_distances_and_the_drug_situation_per_mahalla(client, analyst):
    client.force_login(analyst)
    assert DropCluster.objects.count() >= 3
    response = client.get("/links/map/")
    assert response.status_code == 200 and len(response.context["mahallas"]) >= 1
    data = client.get("/links/map/data/").json()
    layers = {f["properties"]["layer"] for f in data["features"]}
    assert {"cluster", "dead_drop", "school", "college", "park"} <= layers


def test_the_api_lists_entities_with_counts_and_ranks_suppliers(client, analyst):
    client.force_login(analyst)
    listing = client.get("/api/links/entities/?type=Shop").json()
    assert listing["count"] == Entity.objects.filter(schema="Shop").count()
    shop_id = listing["results"][0]["id"]
    suppliers = client.get(f"/api/links/shops/{shop_id}/suppliers/").json()
    assert suppliers["count"] == 10 and suppliers["results"][0]["reasons"]
