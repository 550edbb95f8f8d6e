"""The roadmaps API through HTTP: creation from a template, measures worked on with evidence and comments,
overdue alerts, progress, causes; scoped (another district's roadmap is a 404) and audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from mahalla.accounts.tests.factories import UserFactory
from mahalla.audit.models import AuditEvent
from mahalla.core.roles import Role, ScopeLevel
from mahalla.roadmaps.models import MeasureEvidence, Roadmap
from mahalla.roadmaps.services import measures_overdue_alert
from mahalla.territory.models import District

from .factories import district_chief, inspector, mahallas_create, offence_create

pytestmark = pytest.mark.django_db
DISTRICT = "1703202"
OTHER_DISTRICT = "1706204"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


@pytest.fixture
def place():
    mahallas = mahallas_create(DISTRICT, 2)
    chief = district_chief(District.objects.get(code=DISTRICT))
    return {"mahallas": mahallas, "chief": chief, "client": client_for(chief)}


def create(place, **overrides):
    body = {
        "level": "mahalla",
        "code": place["mahallas"][0].code,
        "period_kind": "quarter",
        "period_start": "2026-01-01",
        "template_keys": ["lighting_cctv"],
    }
    body.update(overrides)
    return place["client"].post("/api/roadmaps/create/", body, format="json")


def test_a_chief_creates_a_roadmap_from_a_template_and_reads_it_with_its_measures(place):
    response = create(place)
    assert response.status_code == 201, response.content
    roadmap_id = response.json()["id"]
    assert response.json()["period_end"] == "2026-03-31"
    detail = place["client"].get(f"/api/roadmaps/{roadmap_id}/").json()
    assert [m["template_measure_key"] for m in detail["measures"]] == [
        "lighting_survey",
        "lamps_repair",
        "cctv_install",
    ]
    assert detail["measures"][0]["target_mahallas"] == [place["mahallas"][0].code]
    assert AuditEvent.objects.filter(object_type="roadmaps.roadmap", object_id=str(roadmap_id)).count() == 1


def test_a_bad_request_names_the_field_and_value(place):
    response = create(place, period_start="2026-02-01")
    assert response.status_code == 400
    assert response.json()["extra"] == {"field": "period_start", "value": "2026-02-01"}
    response = create(place, template_keys=["curfew"])
    assert response.status_code == 400 and "curfew" in response.json()["message"]
    assert not Roadmap.objects.exists()


def test_another_districts_roadmap_is_not_found_and_cannot_be_changed(place):
    roadmap_id = create(place).json()["id"]
    measure_id = place["client"].get(f"/api/roadmaps/{roadmap_id}/").json()["measures"][0]["id"]
    stranger = client_for(district_chief(District.objects.get(code=OTHER_DISTRICT)))
    assert stranger.get(f"/api/roadmaps/{roadmap_id}/").status_code == 404
    assert (
        stranger.post(f"/api/roadmaps/measures/{measure_id}/", {"status": "done"}, format="json").status_code
        == 404
    )
    assert stranger.get("/api/roadmaps/").json()["results"] == []
    assert create({**place, "client": stranger}).status_code == 404


def test_a_measure_is_completed_with_evidence_and_a_comment(place):
    roadmap_id = create(place).json()["id"]
    measure_id = place["client"].get(f"/api/roadmaps/{roadmap_id}/").json()["measures"][0]["id"]
    client = place["client"]
    upload = SimpleUploadedFile("street.png", PNG, content_type="image/png")
    response = client.post(
        f"/api/roadmaps/measures/{measure_id}/evidence/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert response.json()["evidence"][0]["kind"] == "photo"
    response = client.post(
        f"/api/roadmaps/measures/{measure_id}/comments/", {"text": "Lamps fixed"}, format="json"
    )
    assert response.json()["comments"][0]["text"] == "Lamps fixed"
    response = client.post(f"/api/roadmaps/measures/{measure_id}/", {"status": "done"}, format="json")
    assert response.json()["status"] == "done" and response.json()["completed_at"]
    bad = SimpleUploadedFile("virus.png", b"MZ" + b"\x00" * 30, content_type="image/png")
    response = client.post(
        f"/api/roadmaps/measures/{measure_id}/evidence/", {"file": bad}, format="multipart"
    )
    assert response.status_code == 400 and "virus.png" in response.json()["message"]
    assert MeasureEvidence.objects.count() == 1


def test_a_mahalla_seven_member_reads_but_cannot_plan(place):
    create(place)
    member = UserFactory(
        role=Role.MAHALLA_SEVEN, scope_level=ScopeLevel.MAHALLAS, mahallas=[place["mahallas"][0]]
    )
    client = client_for(member)
    assert client.get("/api/roadmaps/").json()["count"] == 1
    response = create({**place, "client": client})
    assert response.status_code == 404  # AccessDenied: not a planner


def test_overdue_alerts_are_listed_for_their_recipients_and_acknowledged(place):
    owner = inspector(place["mahallas"][0])
    create(place, owner=owner.pk)
    measures_overdue_alert(today=dt.date(2026, 5, 1))
    mine = client_for(owner).get("/api/roadmaps/alerts/", {"mine": "true"}).json()["results"]
    assert len(mine) == 3 and all(
        set(a["recipients"]) == {owner.username, place["chief"].username} for a in mine
    )
    response = client_for(owner).post(f"/api/roadmaps/alerts/{mine[0]['id']}/acknowledge/")
    assert response.json()["status"] == "acknowledged"
    assert client_for(owner).get("/api/roadmaps/alerts/", {"status": "open"}).json()["count"] == 2


def test_progress_and_causes_of_a_district(place):
    create(place)
    offence_create(place["mahallas"][0], dt.date(2025, 6, 1), causes=("SITUATION.NO_CCTV",))
    progress = place["client"].get("/api/roadmaps/progress/", {"level": "district", "code": DISTRICT}).json()
    assert progress["overall"]["total"] == 3 and progress["units"][0]["code"] == place["mahallas"][0].code
    causes = (
        place["client"]
        .get(
            "/api/roadmaps/causes/",
            {"level": "district", "code": DISTRICT, "first": "2025-01-01", "last": "2025-12-31"},
        )
        .json()
    )
    assert causes["pareto"]["rows"][0]["code"] == "SITUATION.NO_CCTV"
    assert causes["pareto"]["rows"][0]["recommended"][0]["measure"] == "cctv_install"
    assert causes["recurrence"]["offences"] == 1
    other = place["client"].get("/api/roadmaps/causes/", {"level": "district", "code": OTHER_DISTRICT})
    assert other.status_code == 404


def test_the_templates_are_listed_with_their_measures(place):
    templates = {t["key"]: t for t in place["client"].get("/api/roadmaps/templates/").json()}
    assert set(templates) == {
        "drugs_youth",
        "drug_drops",
        "cyber_awareness",
        "domestic_violence",
        "juvenile_offending",
        "property_crime",
        "safe_street",
        "lighting_cctv",
    }
    assert templates["safe_street"]["measures"][0]["duration_days"] == 45
