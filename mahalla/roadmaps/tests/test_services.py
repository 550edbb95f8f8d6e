"""Writes of roadmaps and measures: created from templates and from a mahalla's explanation, scoped to the
planner's territory, validated, audited; evidence checked by size and content; overdue alerts raised once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from mahalla.accounts.tests.factories import UserFactory
from mahalla.audit.models import AuditEvent
from mahalla.core.errors import AccessDenied, ApplicationError
from mahalla.core.roles import Role, ScopeLevel
from mahalla.roadmaps import services
from mahalla.roadmaps.catalogue import catalogue
from mahalla.roadmaps.models import Measure, MeasureAlert, MeasureEvidence, Roadmap
from mahalla.territory.models import District

from .factories import district_chief, inspector, mahallas_create, offence_create, regional_chief

pytestmark = pytest.mark.django_db
DISTRICT = "1703202"
OTHER_DISTRICT = "1706204"  # Buxoro region
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def place():
    mahallas = mahallas_create(DISTRICT, 3)
    district = District.objects.get(code=DISTRICT)
    return {"district": district, "mahallas": mahallas, "chief": district_chief(district)}


def roadmap_for(place, keys=("safe_street",), **kwargs):
    arguments = {
        "actor": place["chief"],
        "level": "mahalla",
        "code": place["mahallas"][0].code,
        "period_kind": "month",
        "period_start": dt.date(2026, 3, 1),
        "template_keys": list(keys),
    }
    arguments.update(kwargs)
    return services.roadmap_create_from_template(**arguments)


def test_a_roadmap_from_a_template_has_every_measure_of_the_template_with_its_default_deadline(place):
    roadmap = roadmap_for(place, keys=["safe_street"])
    template = catalogue().template("safe_street")
    measures = list(roadmap.measures.order_by("id"))
    assert [m.template_measure_key for m in measures] == [m.key for m in template.measures]
    for measure, item in zip(measures, template.measures, strict=True):
        # A measure longer than the month is due at the month's end.
        expected = min(dt.date(2026, 3, 1) + dt.timedelta(days=item.duration_days - 1), dt.date(2026, 3, 31))
        assert measure.deadline == expected
        assert measure.status == Measure.Status.PLANNED
        assert list(measure.target_mahallas.all()) == [place["mahallas"][0]]
    assert {m.deadline for m in measures} == {
        dt.date(2026, 3, 14),
        dt.date(2026, 3, 30),
        dt.date(2026, 3, 31),
    }
    assert {m.template_measure_key for m in measures} >= {
        "street_lighting",
        "street_cctv",
        "attics_basements",
        "panic_buttons",
        "support_post",
    }
    assert roadmap.district == place["district"] and roadmap.mahalla == place["mahallas"][0]
    event = AuditEvent.objects.get(object_type="roadmaps.roadmap", object_id=str(roadmap.pk))
    assert event.action == "create" and event.details["measures"] == len(measures)


def test_a_quarterly_roadmap_must_start_on_the_first_day_of_a_quarter(place):
    with pytest.raises(ApplicationError, match="2026-02-01") as error:
        roadmap_for(place, period_kind="quarter", period_start=dt.date(2026, 2, 1))
    assert error.value.extra["field"] == "period_start"
    assert roadmap_for(place, period_kind="quarter", period_start=dt.date(2026, 4, 1)).period_end == dt.date(
        2026, 6, 30
    )


def test_an_unknown_template_is_named_with_the_known_ones(place):
    with pytest.raises(ApplicationError, match="'curfew'.*drugs_youth"):
        roadmap_for(place, keys=["curfew"])
    assert not Roadmap.objects.exists()


def test_a_district_chief_cannot_plan_for_his_region_or_another_district(place):
    with pytest.raises(AccessDenied):
        roadmap_for(place, level="region", code=place["district"].region.code)
    with pytest.raises(AccessDenied):
        roadmap_for(place, level="district", code=OTHER_DISTRICT)
    assert roadmap_for(place, level="district", code=DISTRICT).level == "district"


def test_roles_that_do_not_plan_cannot_create_a_roadmap(place):
    for role in (Role.PROSECUTOR, Role.INVESTIGATOR, Role.MAHALLA_SEVEN, Role.NATIONAL_ANALYST):
        actor = UserFactory(role=role, scope_level=ScopeLevel.DISTRICT, scope_district=place["district"])
        with pytest.raises(AccessDenied):
            roadmap_for(place, actor=actor)
    assert not Roadmap.objects.exists()


def test_a_measure_owner_must_work_inside_the_roadmap_territory(place):
    outsider = district_chief(District.objects.get(code=OTHER_DISTRICT))
    with pytest.raises(ApplicationError, match="outside"):
        roadmap_for(place, owner=outsider)
    assert not Roadmap.objects.exists()  # nothing half-done
    own = inspector(place["mahallas"][0])
    assert roadmap_for(place, owner=own).measures.filter(owner=own).count() == 5


def test_a_red_mahalla_with_drug_and_domestic_crime_gets_the_matching_templates(place, monkeypatch):
    mahalla = place["mahallas"][0]
    day = dt.date(2026, 2, 1)
    for i in range(6):
        offence_create(mahalla, day - dt.timedelta(days=i * 10), category="drugs", involves_youth=True)
    for i in range(3):
        offence_create(
            mahalla, day - dt.timedelta(days=i * 7), category="domestic_violence", family_relation=True
        )
    offence_create(mahalla, day, category="theft")
    # Nine crimes of ten are drugs or domestic violence; the daily run rated the mahalla red.
    monkeypatch.setattr(
        "mahalla.roadmaps.selectors.mahalla_result_latest",
        lambda **kwargs: type("Result", (), {"crime_class": "red", "date": day})(),
    )
    monkeypatch.setattr("mahalla.roadmaps.selectors.latest_date", lambda **kwargs: day)
    roadmap = services.roadmap_create_from_explanation(
        actor=place["chief"], mahalla_code=mahalla.code, period_kind="month", period_start=dt.date(2026, 3, 1)
    )
    assert roadmap.source == Roadmap.Source.EXPLANATION
    assert roadmap.template_keys == ["safe_street", "drugs_youth", "domestic_violence"]
    reasons = {(r["factor"], r["subject"]): r for r in roadmap.reasons}
    assert reasons[("category", "drugs")]["count"] == 6 and reasons[("category", "drugs")]["share"] == 0.6
    assert ("category", "cyber") not in reasons and ("category", "theft") not in reasons
    assert roadmap.measures.filter(problem_key="safe_street").count() == 5


def test_a_mahalla_without_any_factor_is_told_to_use_a_template(place, monkeypatch):
    monkeypatch.setattr("mahalla.roadmaps.selectors.mahalla_result_latest", lambda **kwargs: None)
    with pytest.raises(ApplicationError, match="Nothing in the explanation"):
        services.roadmap_create_from_explanation(
            actor=place["chief"],
            mahalla_code=place["mahallas"][1].code,
            period_kind="month",
            period_start=dt.date(2026, 3, 1),
        )


def test_completing_a_measure_stamps_and_reopening_clears_the_completion(place):
    measure = roadmap_for(place).measures.first()
    done = services.measure_update(actor=place["chief"], measure_id=measure.pk, status="done")
    assert done.completed_at is not None
    reopened = services.measure_update(actor=place["chief"], measure_id=measure.pk, status="in_progress")
    assert reopened.completed_at is None
    events = AuditEvent.objects.filter(object_type="roadmaps.measure", object_id=str(measure.pk))
    assert [e.details["after"]["status"] for e in events.order_by("id")] == ["done", "in_progress"]


def test_the_owner_may_work_on_a_measure_but_not_move_its_deadline(place):
    owner = UserFactory(
        role=Role.INVESTIGATOR, scope_level=ScopeLevel.DISTRICT, scope_district=place["district"]
    )
    measure = roadmap_for(place, owner=owner).measures.first()
    services.measure_update(actor=owner, measure_id=measure.pk, status="in_progress")
    with pytest.raises(AccessDenied):
        services.measure_update(actor=owner, measure_id=measure.pk, deadline=dt.date(2026, 12, 31))
    other = UserFactory(
        role=Role.INVESTIGATOR, scope_level=ScopeLevel.DISTRICT, scope_district=place["district"]
    )
    with pytest.raises(AccessDenied):
        services.measure_update(actor=other, measure_id=measure.pk, status="done")


def test_a_measure_outside_the_scope_is_reported_as_missing(place):
    measure = roadmap_for(place).measures.first()
    stranger = district_chief(District.objects.get(code=OTHER_DISTRICT))
    with pytest.raises(AccessDenied, match="not found"):
        services.measure_update(actor=stranger, measure_id=measure.pk, status="done")


def test_evidence_is_stored_under_media_root_with_its_type_size_and_hash(place, media_root):
    measure = roadmap_for(place).measures.first()
    photo = services.measure_evidence_add(
        actor=place["chief"], measure_id=measure.pk, upload=SimpleUploadedFile("lamp.png", PNG, "image/png")
    )
    document = services.measure_evidence_add(
        actor=place["chief"],
        measure_id=measure.pk,
        upload=SimpleUploadedFile("act.pdf", PDF, "application/pdf"),
    )
    assert (photo.kind, photo.content_type, photo.size) == ("photo", "image/png", len(PNG))
    assert document.kind == "document"
    assert photo.file.path.startswith(str(media_root))
    with open(photo.file.path, "rb") as handle:
        assert handle.read() == PNG
    import hashlib

    assert photo.sha256 == hashlib.sha256(PNG).hexdigest()
    assert AuditEvent.objects.filter(object_type="roadmaps.measureevidence").count() == 2


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("script.png", b"<script>alert(1)</script>", "image/png"),  # content is not a PNG
        ("photo.exe", b"MZ\x90\x00" + b"\x00" * 20, "application/octet-stream"),
        ("act.pdf", PNG, "application/pdf"),  # a PNG declared as PDF
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 20, "application/zip"),
    ],
)
def test_evidence_whose_content_is_not_an_accepted_type_is_refused(
    place, media_root, name, content, content_type
):
    measure = roadmap_for(place).measures.first()
    with pytest.raises(ApplicationError, match=name.replace(".", r"\.")):
        services.measure_evidence_add(
            actor=place["chief"],
            measure_id=measure.pk,
            upload=SimpleUploadedFile(name, content, content_type),
        )
    assert not MeasureEvidence.objects.exists()
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_evidence_over_the_size_limit_is_refused(place, settings):
    settings.ROADMAP_EVIDENCE_MAX_BYTES = 50
    measure = roadmap_for(place).measures.first()
    with pytest.raises(ApplicationError, match="limit is 50"):
        services.measure_evidence_add(
            actor=place["chief"],
            measure_id=measure.pk,
            upload=SimpleUploadedFile("big.png", PNG, "image/png"),
        )


def test_an_empty_comment_is_refused_and_a_comment_is_audited(place):
    measure = roadmap_for(place).measures.first()
    with pytest.raises(ApplicationError):
        services.measure_comment_add(actor=place["chief"], measure_id=measure.pk, text="   ")
    comment = services.measure_comment_add(actor=place["chief"], measure_id=measure.pk, text="Lamps ordered")
    assert comment.author == place["chief"]
    assert AuditEvent.objects.filter(
        object_type="roadmaps.measurecomment", object_id=str(comment.pk)
    ).exists()


def test_an_overdue_measure_alerts_its_owner_and_the_district_chief_once(place):
    owner = inspector(place["mahallas"][0])
    regional_chief(place["district"])  # the district has its own chief, who is the one alerted
    roadmap = roadmap_for(place, owner=owner)
    measures = list(roadmap.measures.order_by("deadline", "id"))
    services.measure_update(actor=place["chief"], measure_id=measures[0].pk, status="done")
    first_deadline = measures[0].deadline  # 2026-03-14 (attics and basements, 14 days)
    today = first_deadline + dt.timedelta(days=40)
    overdue = [m for m in measures[1:] if m.deadline < today]
    assert overdue, "the fixture must have overdue measures"

    created = services.measures_overdue_alert(today=today)
    assert sorted(a.measure_id for a in created) == sorted(m.pk for m in overdue)
    for alert in created:
        assert set(alert.recipients.all()) == {owner, place["chief"]}
    assert services.measures_overdue_alert(today=today) == []
    assert services.measures_overdue_alert(today=today + dt.timedelta(days=1)) == []
    assert MeasureAlert.objects.count() == len(overdue)


def test_a_moved_deadline_that_passes_again_raises_a_new_alert(place):
    measure = roadmap_for(place).measures.order_by("deadline").first()
    services.measures_overdue_alert(today=measure.deadline + dt.timedelta(days=1))
    new_deadline = measure.deadline + dt.timedelta(days=10)
    services.measure_update(actor=place["chief"], measure_id=measure.pk, deadline=new_deadline)
    assert services.measures_overdue_alert(today=new_deadline) == []
    assert len(services.measures_overdue_alert(today=new_deadline + dt.timedelta(days=1))) == 1
    assert MeasureAlert.objects.filter(measure=measure).count() == 2


def test_a_region_roadmap_alerts_the_regional_chief(place):
    chief = regional_chief(place["district"])
    roadmap = services.roadmap_create_from_template(
        actor=chief,
        level="region",
        code=place["district"].region.code,
        period_kind="quarter",
        period_start=dt.date(2026, 1, 1),
        template_keys=["cyber_awareness"],
    )
    alerts = services.measures_overdue_alert(today=dt.date(2026, 6, 1))
    assert len(alerts) == roadmap.measures.count()
    assert all(list(a.recipients.all()) == [chief] for a in alerts)


def test_the_command_is_idempotent_and_prints_the_count(place):
    roadmap_for(place)
    out = StringIO()
    call_command("measures-overdue", "--date", "2026-06-01", stdout=out)
    call_command("measures-overdue", "--date", "2026-06-01", stdout=out)
    assert out.getvalue().splitlines() == [
        "2026-06-01: 5 new overdue alert(s)",
        "2026-06-01: 0 new overdue alert(s)",
    ]


def test_the_effect_of_a_measure_that_is_not_done_is_refused(place):
    roadmap = roadmap_for(place)
    measure = roadmap.measures.first()
    with pytest.raises(ApplicationError, match="not done"):
        services.roadmap_effect_estimate(actor=place["chief"], roadmap_id=roadmap.pk, measure_id=measure.pk)
    with pytest.raises(ApplicationError, match="No measure of this roadmap is done"):
        services.roadmap_effect_estimate(actor=place["chief"], roadmap_id=roadmap.pk)
