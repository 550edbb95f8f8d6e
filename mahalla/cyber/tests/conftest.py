from __future__ import annotations

import pytest

from .factories import World, world_create


@pytest.fixture
def world(db: None, settings) -> World:
    settings.CYBER_CARD_HASH_KEY = "test-card-hash-key"
    return world_create()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
