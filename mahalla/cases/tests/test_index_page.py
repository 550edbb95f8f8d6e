"""The casework start page names the legal categories in the reader's language, never by their codes."""

from __future__ import annotations

from django.urls import reverse

from ..models import LegalCategory


def test_the_register_counts_are_named_in_the_readers_language(client, place):
    category = LegalCategory.objects.get(code="preventive_register")
    client.force_login(place.inspector)
    client.cookies["django_language"] = "ru"
    body = client.get(reverse("cases-web:index")).content.decode()
    assert category.name_ru in body
    assert ">preventive_register<" not in body
