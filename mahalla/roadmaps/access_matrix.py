"""Access matrix rows of the roadmap API and pages (see mahalla/core/access_matrix.py)."""

from __future__ import annotations

import datetime as dt

from mahalla.core.access_matrix import ALL_ROLES, Call, Place, Route

from .access import MEASURE_WORKERS, ROADMAP_PLANNERS

PLANNERS = frozenset(ROADMAP_PLANNERS)
WORKERS = frozenset(MEASURE_WORKERS)
WRITE_OK = (200, 201, 302)
# A refused form post redirects back with the error as a message (nothing is stored: the services refuse,
# tested in mahalla/roadmaps/tests); another territory's object is a 404.
FORM_REFUSED = (302, 403, 404)


def _roadmap(place: Place):  # -> Roadmap
    from .models import Measure, Roadmap

    roadmap = Roadmap.objects.create(
        level="district",
        region=place.region,
        district=place.district,
        period_kind="month",
        period_start=dt.date(2026, 1, 1),
        title=f"Plan {place.marker}",
        created_by=place.chief,
    )
    Measure.objects.create(
        roadmap=roadmap, title=f"Measure {place.marker}", deadline=dt.date(2025, 12, 31), owner=place.chief
    )
    return roadmap


def _roadmap_call(place: Place) -> Call:
    return Call(kwargs={"roadmap_id": _roadmap(place).pk})


def _measure(place: Place):  # -> Measure
    return _roadmap(place).measures.get()


def _alert(place: Place):  # -> MeasureAlert
    from .models import MeasureAlert

    measure = _measure(place)
    alert = MeasureAlert.objects.create(
        measure=measure,
        region=place.region,
        district=place.district,
        deadline=measure.deadline,
        raised_on=dt.date(2026, 1, 2),
    )
    return alert


def _evidence(place: Place) -> Call:
    from django.core.files.base import ContentFile

    from .models import MeasureEvidence

    content = b"%PDF-1.4\n% evidence\n"
    evidence = MeasureEvidence(
        measure=_measure(place),
        kind="document",
        original_name=f"report-{place.marker}.pdf",
        content_type="application/pdf",
        size=len(content),
        sha256="0" * 64,
        uploaded_by=place.chief,
    )
    evidence.file.save(f"report-{place.marker}.pdf", ContentFile(content), save=False)
    evidence.save()
    return Call(kwargs={"evidence_id": evidence.pk})


def _measure_json(data: dict[str, object]):  # -> builder
    return lambda place: Call(kwargs={"measure_id": _measure(place).pk}, data=data, content="json")


def _measure_form(data: dict[str, object]):  # -> builder
    return lambda place: Call(kwargs={"measure_id": _measure(place).pk}, data=data)


def _upload(place: Place) -> Call:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return Call(
        kwargs={"measure_id": _measure(place).pk},
        data={"file": SimpleUploadedFile("note.pdf", b"%PDF-1.4\n% note\n", content_type="application/pdf")},
    )


def _territory(level: str):  # -> builder
    def build(place: Place) -> Call:
        code = {"region": place.region.code, "district": place.district.code, "mahalla": place.mahalla.code}
        return Call(kwargs={"level": level, "code": code[level]})

    return build


ROUTES: list[Route] = [
    Route("roadmaps:roadmap-list", territorial=False),
    Route(
        "roadmaps:roadmap-create",
        method="POST",
        roles=PLANNERS,
        success=(201,),
        build=lambda place: Call(
            data={
                "level": "district",
                "code": place.district.code,
                "period_kind": "month",
                "period_start": "2026-02-01",
                "template_keys": ["cyber_awareness"],
            },
            content="json",
        ),
        refused=(400, 403, 404),
    ),
    Route(
        "roadmaps:roadmap-from-explanation",
        method="POST",
        roles=PLANNERS,
        success=(201, 400),
        build=lambda place: Call(
            data={"mahalla": place.mahalla.code, "period_kind": "month", "period_start": "2026-02-01"},
            content="json",
        ),
        refused=(400, 403, 404),
        note="no daily run in the world: a clear 400 for the own mahalla",
    ),
    Route("roadmaps:template-list", territorial=False),
    Route("roadmaps:suggestion", build=lambda place: Call(kwargs={"code": place.mahalla.code})),
    Route(
        "roadmaps:progress",
        build=lambda place: Call(query={"level": "district", "code": place.district.code}),
    ),
    Route(
        "roadmaps:causes", build=lambda place: Call(query={"level": "district", "code": place.district.code})
    ),
    Route("roadmaps:alert-list", territorial=False),
    Route(
        "roadmaps:alert-acknowledge",
        method="POST",
        roles=PLANNERS,
        build=lambda place: Call(kwargs={"alert_id": _alert(place).pk}, content="json"),
        success=WRITE_OK,
    ),
    Route("roadmaps:roadmap-detail", build=_roadmap_call),
    Route(
        "roadmaps:measure-create",
        method="POST",
        roles=PLANNERS,
        success=(201,),
        build=lambda place: Call(
            kwargs={"roadmap_id": _roadmap(place).pk},
            data={"title": "Lighting", "deadline": "2026-01-20"},
            content="json",
        ),
    ),
    Route(
        "roadmaps:effect-estimate",
        method="POST",
        roles=PLANNERS,
        success=(201, 400),
        build=lambda place: Call(kwargs={"roadmap_id": _roadmap(place).pk}, data={}, content="json"),
    ),
    Route(
        "roadmaps:measure-update",
        method="POST",
        roles=WORKERS,
        success=(200,),
        build=_measure_json({"status": "in_progress"}),
    ),
    Route("roadmaps:evidence-add", method="POST", roles=WORKERS, success=(201,), build=_upload),
    Route(
        "roadmaps:comment-add",
        method="POST",
        roles=WORKERS,
        success=(201,),
        build=_measure_json({"text": "done"}),
    ),
    Route("roadmaps-web:index", territorial=False),
    Route("roadmaps-web:new", roles=PLANNERS, territorial=False),
    Route(
        "roadmaps-web:new",
        method="POST",
        roles=PLANNERS,
        success=(302,),
        refused=(200, 403, 404),
        build=lambda place: Call(
            data={
                "level": "district",
                "code": place.district.code,
                "period_kind": "month",
                "period_start": "2026-02-01",
                "template_keys": ["cyber_awareness"],
            }
        ),
        note="another territory's district: the form is shown again with the error (200), nothing stored",
    ),
    Route("roadmaps-web:alerts", territorial=False),
    Route(
        "roadmaps-web:alert-acknowledge",
        method="POST",
        roles=PLANNERS,
        success=(302,),
        build=lambda place: Call(kwargs={"alert_id": _alert(place).pk}),
    ),
    Route("roadmaps-web:progress", build=_territory("district")),
    Route("roadmaps-web:causes", build=_territory("district")),
    Route("roadmaps-web:detail", build=_roadmap_call),
    Route(
        "roadmaps-web:effect",
        method="POST",
        roles=PLANNERS,
        success=(302,),
        build=_roadmap_call,
    ),
    Route(
        "roadmaps-web:measure-status",
        method="POST",
        roles=WORKERS,
        success=(302,),
        refused=FORM_REFUSED,
        build=_measure_form({"status": "in_progress"}),
    ),
    Route(
        "roadmaps-web:measure-evidence",
        method="POST",
        roles=WORKERS,
        success=(302,),
        refused=FORM_REFUSED,
        build=_upload,
    ),
    Route(
        "roadmaps-web:measure-comment",
        method="POST",
        roles=WORKERS,
        success=(302,),
        refused=FORM_REFUSED,
        build=_measure_form({"text": "ok"}),
    ),
    Route("roadmaps-web:evidence", build=_evidence),
]

_ = ALL_ROLES
