"""Views built on their first request.

A server worker loads the URL configuration before its first answer; a view whose module imports a large
library (drf-spectacular's schema generator pulls in DRF's test client and Django's test framework) would
make every worker pay for it at start-up, though few requests ever ask for it. Such a view is named here by
a function that builds it, called once per process on the first request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


def lazy_view(build: Callable[[], View]) -> View:
    """A view that calls ``build()`` on its first request and then answers as the view it returned.

    The wrapper is never CSRF-exempt (the middleware looks before the view is built): meant for views that
    answer GET, which CSRF does not check, such as the API schema and its documentation pages.
    """
    built: list[View] = []
    lock = threading.Lock()

    def view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not built:
            with lock:
                if not built:
                    built.append(build())
        return built[0](request, *args, **kwargs)

    return view
