"""The generated drug-network world (tiny scale), once per session as files, and loaded per test."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from mahalla.demo.generator.links import LinksWorld, links_build, links_write

SEED = 2026
AS_OF = date(2026, 1, 1)


@pytest.fixture(scope="session")
def links_world() -> LinksWorld:
    from mahalla.links.loading import SLANG_FILE

    return links_build(SEED, "tiny", AS_OF, yaml.safe_load(SLANG_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def links_small_world() -> LinksWorld:
    """A smaller world (4 shops) for the tests that load it into the database."""
    from mahalla.links.loading import SLANG_FILE

    return links_build(SEED, "test", AS_OF, yaml.safe_load(SLANG_FILE.read_text(encoding="utf-8")))


@pytest.fixture(scope="session")
def links_files(links_small_world: LinksWorld, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("links_world")
    links_write(links_small_world, directory)
    return directory


@pytest.fixture
def loaded_world(links_files: Path, db: None) -> dict[str, Any]:
    """The world loaded without the detections (the network, drops, places, posts), spread over one mahalla
    of district A and one of district B; drop clusters computed."""
    from .factories import two_mahallas

    mahalla_a, mahalla_b = two_mahallas()
    from mahalla.links.loading import world_load

    counts = world_load(directory=links_files, mahallas=[mahalla_a, mahalla_b], detections=False)
    return {"a": mahalla_a, "b": mahalla_b, "counts": counts}
