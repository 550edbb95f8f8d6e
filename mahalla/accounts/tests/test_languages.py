"""Uzbek (Latin), Russian and English: the committed catalogues are complete, compiled, and used."""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from mahalla.core.roles import Role

LOCALE_DIR = Path(settings.BASE_DIR) / "mahalla" / "locale"
LANGUAGES = ["uz", "ru", "en"]


def po_messages(path: Path) -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) -> msgstr (first plural form) of a .po file; a small reader, as polib is not a
    dependency."""
    messages: dict[tuple[str | None, str], str] = {}
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        fields: dict[str, str] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                fields[key] += ast.literal_eval(line)
                continue
            key, _, value = line.partition(" ")
            fields[key] = ast.literal_eval(value)
        if fields.get("msgid"):
            key = (fields.get("msgctxt"), fields["msgid"])
            messages[key] = fields.get("msgstr", fields.get("msgstr[0]", ""))
    return messages


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_the_committed_mo_matches_the_po(language):
    po_file = LOCALE_DIR / language / "LC_MESSAGES" / "django.po"
    mo_file = po_file.with_suffix(".mo")
    messages = po_messages(po_file)
    assert len(messages) > 100
    assert [msgid for msgid, msgstr in messages.items() if not msgstr] == []
    with mo_file.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for (context, msgid), msgstr in messages.items()
        if (compiled.pgettext(context, msgid) if context else compiled.gettext(msgid)) != msgstr
    ]
    assert stale == [], "recompile with msgfmt (docs/access.md, Languages) and commit the .mo"


@pytest.mark.parametrize(
    ("language", "role", "not_found"),
    [
        ("uz", "Tuman rahbari", "Huquqbuzarlik topilmadi"),
        ("ru", "Руководитель района", "Правонарушение не найдено"),
        ("en", "District chief", "Offence not found"),
    ],
)
def test_labels_and_messages_follow_the_active_language(language, role, not_found):
    with translation.override(language):
        assert str(Role.DISTRICT_CHIEF.label) == role
        assert translation.gettext("Offence not found") == not_found


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("uz", "Kirish"), ("ru", "Вход"), ("en", "Sign in")])
def test_the_login_page_is_served_in_the_chosen_language(language, heading):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    html = client.get("/accounts/login/").content.decode()
    assert f">{heading}</h1>" in html
    assert f'<html lang="{language}">' in html


def test_uzbek_is_the_default_language_outside_the_tests():
    from config.settings import base

    assert base.LANGUAGE_CODE == "uz"
    assert [code for code, _ in settings.LANGUAGES] == LANGUAGES


@pytest.mark.django_db
def test_without_a_cookie_the_browser_language_is_used():
    html = Client().get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert ">Вход</h1>" in html
