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


class LazyApiView:
    """A DRF API view, ``import_string(dotted).as_view(**initkwargs)``, built on its first request.

    A server worker loads the URL configuration before its first answer; with the API views in it, it
    imported DRF's serializers and their optional companions (requests, PyYAML, and psycopg through
    django.contrib.postgres: about a fifth of its start-up with no cached bytecode), though a worker may
    never answer an API request. The URL modules name the views by their dotted path instead.

    It answers as DRF's view does: CSRF-exempt (DRF's SessionAuthentication checks the token itself), and
    ``cls`` and ``initkwargs``, which the schema generator reads, are the built view's. Its name is the
    view class's, so that reverse() and resolve() see the same callback names as before without building.
    """

    csrf_exempt = True

    def __init__(self, dotted: str, **initkwargs: Any) -> None:
        self.dotted = dotted
        self.initkwargs_given = initkwargs
        self.__module__, _, self.__name__ = dotted.rpartition(".")
        self.__qualname__ = self.__name__
        self._built: list[View] = []
        self._lock = threading.Lock()

    def view(self) -> View:
        if not self._built:
            with self._lock:
                if not self._built:
                    from django.utils.module_loading import import_string

                    self._built.append(import_string(self.dotted).as_view(**self.initkwargs_given))
        return self._built[0]

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return self.view()(request, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        # Only what the schema generator (DRF's and drf-spectacular's endpoint enumerators) asks of a view;
        # every other attribute is absent, as on a plain function (Django's "view_class" included: asked
        # for by reverse(), it would build every view).
        if name in ("cls", "initkwargs", "actions"):
            return getattr(self.view(), name)
        raise AttributeError(name)


def lazy_api(dotted: str, **initkwargs: Any) -> LazyApiView:
    """The API view class at ``dotted``, imported and built on its first request (``LazyApiView``)."""
    return LazyApiView(dotted, **initkwargs)
