"""Commands of the cyber module. `cyber_train_rows` gives the generated training texts to the demo and the
`cyber-train` command alike."""

from __future__ import annotations

import datetime as dt
from typing import Any


def cyber_train_rows(*, seed: int, scale: str = "tiny") -> list[Any]:
    from mahalla.cyber.classifier import TrainingRow
    from mahalla.demo.generator.cyber import build_cyber_reports

    rows, truth, _ = build_cyber_reports(
        seed=seed, scale=scale, as_of=dt.date(2026, 1, 1), mahalla_codes=["0"]
    )
    return [
        TrainingRow(f"{r['narrative']}\n{r['message_text']}", t["method"], t["language"], "generator")
        for r, t in zip(rows, truth, strict=True)
    ]
