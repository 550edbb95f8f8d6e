"""Access matrix rows of coordination (see mahalla/core/access_matrix.py). The matrix's actors hold a role and
a district scope but work for no agency: they see tasks as overseers (chiefs, analysts, prosecutors,
administrators) of their territory and can act on none (acting belongs to the agencies' staff, tested in
mahalla/coordination/tests)."""

from __future__ import annotations

import datetime as dt

from mahalla.core.access_matrix import NO_ROLE, Call, Place, Route, admin_routes

from .access import COUNCIL_READERS, FINDING_RESPONDERS, TASK_OVERSEERS, TRAINING_PLANNERS

FORM = (302,)
FORM_REFUSED = (302, 403, 404)


def _agencies(place: Place):  # -> (sender agency, receiver agency, sender account)
    from mahalla.accounts.tests.factories import UserFactory

    from .models import Agency, StaffMember

    sender = Agency.objects.create(
        name=f"Police {place.marker}",
        kind="internal_affairs",
        level="district",
        region=place.region,
        district=place.district,
    )
    receiver = Agency.objects.create(
        name=f"Inson {place.marker}",
        kind="social_centre",
        level="district",
        region=place.region,
        district=place.district,
    )
    account = UserFactory(
        username=f"staff.{place.marker.lower()}",
        role="preventive_inspector",
        scope_level="district",
        scope_district=place.district,
    )
    StaffMember.objects.create(
        agency=sender,
        user=account,
        full_name=f"Staff {place.marker}",
        is_head=True,
        region=place.region,
        district=place.district,
    )
    return sender, receiver, account


def _task(place: Place):  # -> Task
    from .models import TaskType
    from .services import task_create

    _sender, receiver, account = _agencies(place)
    return task_create(
        actor=account,
        to_agency=receiver,
        task_type=TaskType.objects.get(key="mahalla-visit"),
        title=f"Task {place.marker}",
        mahalla=place.mahalla,
    )


def _task_call(place: Place) -> Call:
    return Call(kwargs={"task_id": _task(place).pk})


def _meeting(place: Place):  # -> CouncilMeeting
    from mahalla.accounts.tests.factories import UserFactory

    from .models import CouncilMeeting

    chair = UserFactory(
        username=f"prosecutor.{place.marker.lower()}",
        role="prosecutor",
        scope_level="district",
        scope_district=place.district,
    )
    return CouncilMeeting.objects.create(
        level="district",
        date=dt.date(2026, 1, 15),
        chair=chair,
        region=place.region,
        district=place.district,
        attendees=f"Council {place.marker}",
    )


def _meeting_call(place: Place) -> Call:
    return Call(kwargs={"meeting_id": _meeting(place).pk})


def _finding(place: Place) -> Call:
    from .models import OversightFinding, OversightRule

    finding = OversightFinding.objects.create(
        rule=OversightRule.objects.get(key="task-past-deadline"),
        object_type="coordination.task",
        object_id=place.marker,
        summary=f"Finding {place.marker}",
        found_on=dt.date(2026, 1, 2),
        region=place.region,
        district=place.district,
        mahalla=place.mahalla,
    )
    return Call(kwargs={"finding_id": finding.pk}, data={"response": "Answered"}, content="json")


def _list_with_task(place: Place) -> Call:
    _task(place)
    return Call()


def _list_with_finding(place: Place) -> Call:
    _finding(place)
    return Call()


def _list_with_meeting(place: Place) -> Call:
    _meeting(place)
    return Call()


TASK_READERS = frozenset(TASK_OVERSEERS)
MEETING_READERS = frozenset(COUNCIL_READERS)
PLANNERS = frozenset(TRAINING_PLANNERS)
RESPONDERS = frozenset(FINDING_RESPONDERS)

ROUTES = [
    # Pages
    Route("coordination-web:inbox", territorial=False, build=_list_with_task),
    Route(
        "coordination-web:task-new",
        roles=NO_ROLE,
        territorial=False,
        note="only the staff of an agency send tasks; the matrix's actors work for none",
    ),
    Route("coordination-web:task", roles=TASK_READERS, build=_task_call),
    Route(
        "coordination-web:task",
        method="POST",
        roles=TASK_READERS,
        success=FORM,
        refused=FORM_REFUSED,
        build=lambda place: Call(kwargs={"task_id": _task(place).pk}, data={"action": "accept"}),
        note="an overseer who sees the task is told it may not act (302 with the message)",
    ),
    Route("coordination-web:meetings", territorial=False, build=_list_with_meeting),
    Route(
        "coordination-web:meetings",
        method="POST",
        success=FORM,
        refused=FORM_REFUSED,
        territorial=False,
        build=lambda place: Call(
            data={"level": "district", "district": place.district.code, "date": "2026-02-01"}
        ),
    ),
    Route("coordination-web:meeting", roles=MEETING_READERS, build=_meeting_call),
    Route(
        "coordination-web:meeting",
        method="POST",
        roles=MEETING_READERS,
        success=FORM,
        refused=FORM_REFUSED,
        build=lambda place: Call(
            kwargs={"meeting_id": _meeting(place).pk}, data={"action": "agenda", "title": "x"}
        ),
    ),
    Route("coordination-web:minutes", roles=MEETING_READERS, build=_meeting_call),
    Route("coordination-web:oversight", territorial=False, build=_list_with_finding),
    Route(
        "coordination-web:oversight",
        method="POST",
        success=FORM,
        refused=FORM_REFUSED,
        territorial=False,
        build=lambda place: Call(data={"action": "run"}),
    ),
    Route("coordination-web:training", roles=PLANNERS, territorial=False),
    Route(
        "coordination-web:training",
        method="POST",
        roles=PLANNERS,
        success=FORM,
        refused=FORM_REFUSED,
        territorial=False,
        build=lambda place: Call(data={"course": "cyber-fraud", "district": "x"}),
    ),
    # API
    Route("coordination:task-list", territorial=False, build=_list_with_task),
    Route(
        "coordination:task-list",
        method="POST",
        roles=NO_ROLE,
        territorial=False,
        refused=(400, 403, 404),
        build=lambda place: Call(
            data={"to_agency": 1, "task_type": "mahalla-visit", "title": "x"}, content="json"
        ),
        note="only agency staff send tasks: AccessDenied is a 404",
    ),
    Route("coordination:task-detail", roles=TASK_READERS, build=_task_call),
    Route(
        "coordination:task-action",
        method="POST",
        roles=NO_ROLE,
        build=lambda place: Call(
            kwargs={"task_id": _task(place).pk}, data={"action": "accept"}, content="json"
        ),
    ),
    Route("coordination:meeting-list", territorial=False, build=_list_with_meeting),
    Route(
        "coordination:meeting-list",
        method="POST",
        roles=frozenset({"prosecutor"}),
        success=(201,),
        refused=(403, 404),
        territorial=False,
        build=lambda place: Call(
            data={"level": "district", "district": place.district.code, "date": "2026-02-01"}, content="json"
        ),
    ),
    Route("coordination:meeting-detail", roles=MEETING_READERS, build=_meeting_call),
    Route(
        "coordination:decision-create",
        method="POST",
        roles=NO_ROLE,
        build=lambda place: Call(
            kwargs={"meeting_id": _meeting(place).pk},
            data={"text": "x", "to_agency": 1, "deadline": "2030-01-01"},
            content="json",
        ),
        note="only the meeting's chair records decisions; the matrix's prosecutor chairs none",
    ),
    Route("coordination:minutes", roles=MEETING_READERS, build=_meeting_call),
    Route("coordination:finding-list", territorial=False, build=_list_with_finding),
    Route("coordination:finding-respond", method="POST", roles=RESPONDERS, build=_finding),
    Route("coordination:training-needs", roles=PLANNERS, territorial=False),
    # Reference data in the admin (country administrators, as the other reference tables)
    *admin_routes("coordination", "tasktype"),
    *admin_routes("coordination", "oversightrule"),
    *admin_routes("coordination", "course"),
]
