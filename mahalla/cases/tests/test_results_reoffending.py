"""Repeat offending in the Mahalla Seven results: a listed person counts when an offence under one of their
source systems' references falls within 12 months after the listing, and not for an offence before it."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mahalla.incidents.tests.factories import TASHKENT, OffenceFactory

from .. import selectors, services
from ..models import PersonSourceRef


def _listed(place, starts_on):
    services.register_entry_add(
        actor=place.inspector,
        person=place.person,
        category_code="preventive_register",
        basis_document="IIB qarori 1",
        starts_on=starts_on,
        term_ends_on=starts_on + dt.timedelta(days=365),
        decided_by="district internal-affairs department",
    )
    PersonSourceRef.objects.create(person=place.person, source_system="EJR", ref="OFF-77")


def _row(place):
    rows = selectors.results(actor=place.inspector, group_by="mahalla")
    return next(r for r in rows if r.key == place.home.code)


def _offence(place, day):
    OffenceFactory(
        mahalla=place.home, offender_ref="OFF-77", occurred_at=dt.datetime.combine(day, dt.time(12), TASHKENT)
    )


def test_an_offence_within_the_year_after_the_listing_counts_as_repeat_offending(place):
    today = timezone.localdate()
    _listed(place, today - dt.timedelta(days=100))
    _offence(place, today - dt.timedelta(days=150))
    assert (_row(place).registered, _row(place).reoffended) == (1, 0)
    _offence(place, today - dt.timedelta(days=50))
    assert (_row(place).registered, _row(place).reoffended) == (1, 1)
