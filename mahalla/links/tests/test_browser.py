"""The channel dossier and the dead-drop map in Debian's chromium (Playwright) against a live server: the
graph is drawn by cytoscape (served locally), a node opened shows its facts with their sources, the evidence
is listed, and the map draws clusters, drops and schools. Nothing is requested from outside the server."""

from __future__ import annotations

import pytest

from mahalla.accounts.tests.factories import UserFactory
from mahalla.core.roles import Role, ScopeLevel
from mahalla.links.models import Entity

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def world(links_files, transactional_db):
    from mahalla.links.loading import world_load

    from .factories import two_mahallas

    mahalla_a, mahalla_b = two_mahallas()
    world_load(directory=links_files, mahallas=[mahalla_a, mahalla_b], detections=False)
    UserFactory(username="narcotics", role=Role.NARCOTICS_OFFICER, scope_level=ScopeLevel.COUNTRY)
    return {"a": mahalla_a}


def _local_only(page, live_server):
    assert all(url.startswith(live_server.url) or url.startswith("data:") for url in page.requested_urls)


def test_the_dossier_draws_the_graph_opens_a_node_and_shows_the_evidence(
    browser_page, sign_in, world, live_server
):
    shop = Entity.objects.filter(schema="Shop").order_by("pk").first()
    sign_in(browser_page, "narcotics", next=f"/links/shops/{shop.pk}/")
    browser_page.wait_for_function("document.getElementById('network-graph').dataset.drawn > 5")
    assert browser_page.locator("#network-graph canvas").count() >= 1
    # open the shop's node through cytoscape's own event, as a click on it does
    browser_page.evaluate(f"window.linksGraph.getElementById('n{shop.pk}').emit('tap')")
    browser_page.wait_for_selector(f"#entity-panel[data-entity='{shop.pk}']")
    assert "platform reply" in browser_page.inner_text("#entity-facts")
    assert browser_page.locator("#evidence tbody tr").count() > 5
    assert "Criminal Procedure Code" in browser_page.inner_text("#evidence")
    assert browser_page.locator("#suppliers tbody tr").count() == 10
    _local_only(browser_page, live_server)


def test_the_map_draws_drop_clusters_drops_and_schools(browser_page, sign_in, world, live_server):
    sign_in(browser_page, "narcotics", next="/links/map/")
    browser_page.wait_for_function("document.getElementById('drops-map').dataset.drawn > 10")
    assert browser_page.locator(".layer-cluster").count() >= 3
    assert browser_page.locator(".layer-school").count() >= 1
    assert browser_page.locator("#cluster-table tbody tr").count() >= 3
    _local_only(browser_page, live_server)
