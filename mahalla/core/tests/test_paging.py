"""Paging helper and the registered navigation sections."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import RequestFactory

from mahalla.core.navigation import _SECTIONS, NavigationSection, register_section, sections_for
from mahalla.core.paging import page_query, paginate


def test_a_list_of_120_items_is_shown_fifty_at_a_time_with_the_total():
    request = RequestFactory().get("/x/", {"page": "3", "q": "ittifoq"})
    page = paginate(request, list(range(120)))
    assert (page.number, page.start_index(), page.end_index(), page.paginator.count) == (3, 101, 120, 120)


def test_a_page_number_that_is_not_a_number_or_too_large_falls_back_to_a_valid_page():
    assert paginate(RequestFactory().get("/x/", {"page": "abc"}), list(range(10))).number == 1
    assert paginate(RequestFactory().get("/x/", {"page": "999"}), list(range(120))).number == 3


def test_page_links_keep_the_other_filters():
    request = RequestFactory().get("/x/", {"page": "1", "q": "ittifoq"})
    assert page_query(request, 2) == "page=2&q=ittifoq"


def test_a_section_is_shown_only_to_the_roles_it_names():
    register_section(
        NavigationSection(key="test-section", url_name="web:alerts", label="T", roles=frozenset({"x"}))
    )
    try:
        allowed = SimpleNamespace(is_authenticated=True, is_active=True, role="x")
        other = SimpleNamespace(is_authenticated=True, is_active=True, role="y")
        assert [e["key"] for e in sections_for(allowed)] == ["test-section"]
        assert sections_for(other) == []
        assert sections_for(None) == []
    finally:
        _SECTIONS.pop("test-section")
