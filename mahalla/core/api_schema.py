"""The API views' schema annotations, handed to drf-spectacular when a schema is generated.

drf-spectacular's ``extend_schema`` subclasses the schema class when it decorates a view, so the first
decorated view imports that class: drf-spectacular's AutoSchema and, through it, DRF's and Django's test
frameworks (jinja2, unittest, xml). Every server worker paid for them before its first answer (about a
quarter of its start-up with no cached bytecode), for a schema that few requests ask for.

``extend_schema`` here takes drf-spectacular's arguments and only records them with the view (or view
method) it decorates. ``annotations_apply()`` passes each record to drf-spectacular's ``extend_schema`` in
the order the decorators ran, once, when a schema is generated (``MahallaSchemaGenerator`` in
mahalla/core/schema.py, the generator of ``/api/schema/``, of ``check --deploy`` and of
``spectacular``): the schema says what the decorators say, as if they had been applied at import.
``OpenApiParameter`` and ``OpenApiTypes`` are light (no schema class); they are imported from
drf-spectacular as they are.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

Target = TypeVar("Target")

_pending: list[tuple[Any, dict[str, Any]]] = []
_lock = threading.Lock()


def extend_schema(**arguments: Any) -> Callable[[Target], Target]:
    """drf-spectacular's ``extend_schema`` (same arguments), applied by ``annotations_apply()``."""

    def decorator(target: Target) -> Target:
        with _lock:
            _pending.append((target, arguments))
        return target

    return decorator


def annotations_apply() -> None:
    """Apply every recorded annotation not applied yet, in the order they were recorded.

    drf-spectacular's decorator sets its schema on the object it is given (a view method's ``kwargs``, a
    view class's ``schema``) and returns that same object, so the views in the URL configuration see it.
    Decorators stacked on one method were recorded innermost first, as Python applies them.
    """
    with _lock:
        if not _pending:
            return
        from drf_spectacular.utils import extend_schema as spectacular_extend_schema

        while _pending:
            target, arguments = _pending.pop(0)
            spectacular_extend_schema(**arguments)(target)
