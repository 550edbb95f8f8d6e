"""The server-rendered pages: scoped like the API, writes through the services, and an effect is never
claimed without significance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mahalla.audit.models import AuditEvent
from mahalla.roadmaps import services
from mahalla.roadmaps.models import EffectEstimate, Measure
from mahalla.territory.models import District

from .factories import district_chief, mahallas_create

pytestmark = pytest.mark.django_db
DISTRICT = "1703202"
OTHER_DISTRICT = "1706204"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def place():
    mahallas = mahallas_create(DISTRICT, 2)
    chief = district_chief(District.objects.get(code=DISTRICT))
    client = Client()
    client.force_login(chief)
    return {"mahallas": mahallas, "chief": chief, "client": client}


def test_the_form_creates_a_roadmap_from_a_template_and_shows_its_measures(place):
    response = place["client"].post(
        "/roadmaps/new/",
        {
            "source": "template",
            "level": "district",
            "code": DISTRICT,
            "period_kind": "month",
            "period_start": "2026-03-01",
            "template_keys": ["cyber_awareness"],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = place["client"].get(response["Location"]).content.decode()
    assert "Door-to-door briefings on card and SMS-code fraud" in page
    assert page.count('class="status-form"') == 3


def test_the_form_reports_a_bad_period_start_without_creating_anything(place):
    response = place["client"].post(
        "/roadmaps/new/",
        {
            "source": "template",
            "level": "district",
            "code": DISTRICT,
            "period_kind": "quarter",
            "period_start": "2026-02-01",
            "template_keys": ["cyber_awareness"],
        },
    )
    assert response.status_code == 200
    assert "2026-02-01" in response.content.decode()


def test_a_roadmap_of_another_district_is_not_found(place):
    other = district_chief(District.objects.get(code=OTHER_DISTRICT))
    roadmap = services.roadmap_create_from_template(
        actor=other,
        level="district",
        code=OTHER_DISTRICT,
        period_kind="month",
        period_start=dt.date(2026, 3, 1),
        template_keys=["safe_street"],
    )
    assert place["client"].get(f"/roadmaps/{roadmap.pk}/").status_code == 404
    assert place["client"].get(f"/roadmaps/progress/district/{OTHER_DISTRICT}/").status_code == 404
    assert place["client"].get(f"/roadmaps/causes/district/{OTHER_DISTRICT}/").status_code == 404
    measure = roadmap.measures.first()
    assert (
        place["client"].post(f"/roadmaps/measures/{measure.pk}/status/", {"status": "done"}).status_code
        == 404
    )
    measure.refresh_from_db()
    assert measure.status == Measure.Status.PLANNED


def test_evidence_uploaded_on_the_page_is_downloaded_by_the_scope_only_and_logged(place):
    roadmap = services.roadmap_create_from_template(
        actor=place["chief"],
        level="district",
        code=DISTRICT,
        period_kind="month",
        period_start=dt.date(2026, 3, 1),
        template_keys=["safe_street"],
    )
    measure = roadmap.measures.first()
    upload = SimpleUploadedFile("lamp.png", PNG, content_type="image/png")
    place["client"].post(f"/roadmaps/measures/{measure.pk}/evidence/", {"file": upload})
    evidence = measure.evidence.get()
    response = place["client"].get(f"/roadmaps/evidence/{evidence.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert AuditEvent.objects.filter(action="read", object_type="roadmaps.measureevidence").count() == 1
    stranger = Client()
    stranger.force_login(district_chief(District.objects.get(code=OTHER_DISTRICT)))
    assert stranger.get(f"/roadmaps/evidence/{evidence.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("significant", "words"), [(False, "No significant change"), (True, "Significant fall")]
)
def test_the_effect_is_claimed_only_when_significant(place, significant, words):
    roadmap = services.roadmap_create_from_template(
        actor=place["chief"],
        level="district",
        code=DISTRICT,
        period_kind="month",
        period_start=dt.date(2026, 3, 1),
        template_keys=["safe_street"],
    )
    EffectEstimate.objects.create(
        roadmap=roadmap,
        region=roadmap.region,
        district=roadmap.district,
        intervention_date=dt.date(2026, 3, 1),
        period="month",
        parameters={"alpha": 0.05},
        effect=-0.4,
        relative_effect=-0.25,
        ci_low=-0.9,
        ci_high=0.1 if not significant else -0.1,
        relative_ci_low=-0.5,
        relative_ci_high=0.06 if not significant else -0.05,
        p_value=0.21 if not significant else 0.01,
        significant=significant,
        n_treated=2,
        n_controls=9,
        treated_pre=1.6,
        treated_post=1.2,
        counterfactual=1.6,
        computed_by=place["chief"],
    )
    page = place["client"].get(f"/roadmaps/{roadmap.pk}/").content.decode()
    assert words in page
    if not significant:
        assert "Significant fall" not in page
    assert "-25.0 %" in page and "p = " in page


def test_the_progress_and_causes_pages_show_the_figures_of_the_territory(place):
    from .factories import offence_create

    roadmap = services.roadmap_create_from_template(
        actor=place["chief"],
        level="mahalla",
        code=place["mahallas"][0].code,
        period_kind="month",
        period_start=dt.date(2026, 1, 1),
        template_keys=["lighting_cctv"],
    )
    services.measure_update(actor=place["chief"], measure_id=roadmap.measures.first().pk, status="done")
    page = place["client"].get(f"/roadmaps/progress/district/{DISTRICT}/").content.decode()
    assert 'data-total="3" data-done="1"' in page and place["mahallas"][0].name_uz in page
    for _ in range(3):
        offence_create(place["mahallas"][0], dt.date(2025, 6, 1), causes=("SITUATION.POOR_LIGHTING",))
    page = (
        place["client"]
        .get(f"/roadmaps/causes/district/{DISTRICT}/", {"first": "2025-01-01", "last": "2025-12-31"})
        .content.decode()
    )
    assert 'data-code="SITUATION.POOR_LIGHTING" class="vital"' in page
    assert "Repair and add street lamps" in page  # the recommended measure
    index = place["client"].get("/roadmaps/").content.decode()
    assert f'data-roadmap="{roadmap.pk}"' in index and "1 / 3" in index
