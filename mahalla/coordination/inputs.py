"""Parsing of request values shared by the API and the pages: a bad value is an ApplicationError naming the
field, never a server error."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from mahalla.core.errors import ApplicationError

from .models import Agency, Course, StaffMember, TaskType

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


def parse_date(value: Any, field: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise ApplicationError(_("%(field)s is required.") % {"field": field}, {"field": field})
        return None
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError as error:
        raise ApplicationError(
            _("%(value)s is not a date (YYYY-MM-DD).") % {"value": str(value)[:40]}, {"field": field}
        ) from error
    if not EARLIEST <= day <= LATEST:
        raise ApplicationError(_("%(value)s is out of range.") % {"value": day.isoformat()}, {"field": field})
    return day


def _by_id(model: Any, value: Any, field: str) -> Any:
    if not str(value or "").isdigit():
        raise ApplicationError(_("Choose a valid %(field)s.") % {"field": field}, {"field": field})
    obj = model.objects.filter(pk=int(str(value))).first()
    if obj is None:
        raise ApplicationError(_("Choose a valid %(field)s.") % {"field": field}, {"field": field})
    return obj


def parse_agency(value: Any, field: str = "to_agency") -> Agency:
    agency: Agency = _by_id(Agency, value, field)
    return agency


def parse_staff(value: Any, field: str = "assignee") -> StaffMember | None:
    if value in (None, ""):
        return None
    member: StaffMember = _by_id(StaffMember, value, field)
    return member


def parse_course(value: Any, field: str = "course") -> Course:
    course = Course.objects.filter(key=str(value or "")).first()
    if course is None:
        raise ApplicationError(_("Choose a valid %(field)s.") % {"field": field}, {"field": field})
    return course


def parse_task_type(value: Any, field: str = "task_type") -> TaskType:
    task_type = TaskType.objects.filter(key=str(value or "")).first()
    if task_type is None:
        raise ApplicationError(_("Choose a valid %(field)s.") % {"field": field}, {"field": field})
    return task_type
