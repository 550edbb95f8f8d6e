"""Fixtures of the roadmaps tests: the `region` scale of the synthetic nation (Andijon, 16 districts, ~860
mahallas), generated once per session, which holds the demo's planted prevention effect in its largest
district with controls in the other fifteen (the tiny nation has a single district and so no controls)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

REGION_SEED = 2026
REGION_AS_OF = date(2026, 1, 1)


@pytest.fixture(scope="session")
def region_nation_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mahalla.demo.generator import generate

    directory = tmp_path_factory.mktemp("region_nation")
    generate("region", REGION_SEED, REGION_AS_OF, directory)
    return directory
