"""The nation-scale dataset for the calibration and geometry tests, generated once per session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely

NATION_SEED = 11
NATION_AS_OF = date(2026, 1, 1)


@dataclass
class GeneratedNation:
    directory: Path
    truth: dict[str, Any]
    territories: pd.DataFrame
    offences: pd.DataFrame
    offence_truth: pd.DataFrame
    officials: pd.DataFrame

    @property
    def mahallas(self) -> pd.DataFrame:
        return self.territories[self.territories["level"] == "mahalla"].set_index("code")

    @property
    def districts(self) -> pd.DataFrame:
        return self.territories[self.territories["level"] == "district"].set_index("code")

    @property
    def regions(self) -> pd.DataFrame:
        return self.territories[self.territories["level"] == "region"].set_index("code")

    def shapes(self, frame: pd.DataFrame) -> pd.Series:
        return pd.Series(shapely.from_geojson(frame["boundary"].to_numpy()), index=frame.index)

    @property
    def crimes(self) -> pd.DataFrame:
        return self.offences[self.offences["code_kind"] == "criminal"]


def load_generated(directory: Path) -> GeneratedNation:
    offences = pd.read_csv(directory / "offences.csv", dtype=str, keep_default_na=False)
    offences["occurred"] = pd.to_datetime(offences["occurred_at"])
    return GeneratedNation(
        directory=directory,
        truth=json.loads((directory / "truth.json").read_text(encoding="utf-8")),
        territories=pd.read_csv(directory / "territories.csv", dtype=str, keep_default_na=False),
        offences=offences,
        offence_truth=pd.read_csv(directory / "truth_offences.csv", dtype=str, keep_default_na=False),
        officials=pd.read_csv(directory / "officials.csv", dtype=str, keep_default_na=False),
    )


@pytest.fixture(scope="session")
def nation(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> GeneratedNation:
    """The whole synthetic nation (10-20 s to generate; used only by tests marked slow).

    Under pytest-xdist the workers share one copy: the first to take the lock generates it into the
    session's common temporary directory, the others wait and read it."""
    import fcntl

    from mahalla.demo.generator import generate

    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    directory = shared / f"nation-{NATION_SEED}"
    with (shared / "nation.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (directory / "manifest.json").is_file():
            generate("nation", NATION_SEED, NATION_AS_OF, directory)
    return load_generated(directory)


@pytest.fixture(scope="session")
def tiny(tiny_nation_files: Path) -> GeneratedNation:
    return load_generated(tiny_nation_files)
