"""Paging for every list page: one helper so that no list is cut without a word.

    page = paginate(request, queryset)            # ?page=N, 50 a page
    return render(request, "...", {"page": page})  # template: {% include "web/_pagination.html" %}

API lists answer through `mahalla.core.api_paging.paginated_response(request, view, rows, Serializer)`:
`{"count", "next", "previous", "results"}` with `?page=N&page_size=M` (a module of its own: it imports DRF,
which the site's pages do not need).

The template shows "1-50 of 502" and the links; a page number out of range or not a number falls back to
the nearest valid page instead of an error (a stale link must not end in a 404)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

DEFAULT_PAGE_SIZE = 50


def paginate(
    request: HttpRequest,
    items: Sequence[Any] | Any,
    *,
    per_page: int = DEFAULT_PAGE_SIZE,
    page_parameter: str = "page",
) -> Page:
    """The page of `items` that `request` asks for with `?page=N` (`page_parameter`)."""
    paginator = Paginator(items, per_page)
    return paginator.get_page(request.GET.get(page_parameter))


def page_query(request: HttpRequest, number: int, *, page_parameter: str = "page") -> str:
    """The request's query string with the page number replaced: links keep every filter."""
    query = request.GET.copy()
    query[page_parameter] = str(number)
    return query.urlencode()
