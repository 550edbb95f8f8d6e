"""Paging for every API list: `{"count", "next", "previous", "results"}`, `?page=N`, `?page_size=M`.

Apart from mahalla.core.paging (the site's pages), which must not import DRF: a server worker loads the
pages' views before its first answer, the API's only when one is asked for (mahalla.core.lazy.LazyApiView).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from mahalla.core.paging import DEFAULT_PAGE_SIZE


class ApiPagination(PageNumberPagination):
    """Every API list: `{"count", "next", "previous", "results"}`, `?page=N`, `?page_size=M` (at most 500)."""

    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated_response(
    request: Request, view: APIView, rows: Any, serializer: Callable[..., Any]
) -> Response:
    """The page of `rows` that `request` asks for, serialised by `serializer(items, many=True)`, with the
    total count and the links to the neighbouring pages. A page out of range is a 404 naming the page."""
    paginator = ApiPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)
