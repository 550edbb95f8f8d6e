"""The stored results of one analysed date, dumped to JSON and compared: a faster daily run must store
exactly what the previous one stored (mahalla rows, aggregates, clusters, forecast cells, alerts, the
forecast choice).

    python bench/_daily_results.py dump DATE OUT.json      # in the environment of the database to read
    python bench/_daily_results.py compare A.json B.json   # exits 1 on a difference

Floats are compared exactly and, where they differ, against a tolerance of 1e-10 (relative or absolute):
the report says how many differ at all and how many beyond the tolerance; only the latter fail.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

TOLERANCE = 1e-10

# Per table: the fields that identify a row (the comparison matches rows by them) and the fields left out
# (the run's own identity and time stamps, which differ between any two runs).
TABLES: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {
    "MahallaDayResult": (("mahalla_id",), frozenset({"id", "run_id"})),
    "AggregateDayResult": (("level", "region_id", "district_id"), frozenset({"id", "run_id"})),
    "ClusterResult": (("rank",), frozenset({"id", "run_id"})),
    "ForecastCell": (("district_id", "rank"), frozenset({"id", "run_id"})),
    "Alert": (
        ("kind", "mahalla_id"),
        frozenset({"id", "created_at", "updated_at", "acknowledged_at", "assigned_at"}),
    ),
}


def dump(date: str, path: str) -> None:
    import django

    django.setup()
    from mahalla.analytics import models

    result: dict[str, Any] = {}
    for name, (key, _left_out) in TABLES.items():
        rows = list(models.__dict__[name].objects.filter(date=date).order_by(*key).values())
        assert len({tuple(row[k] for k in key) for row in rows}) == len(rows), f"{name}: {key} is not a key"
        result[name] = json.loads(json.dumps(rows, default=str))
    run = models.DailyRun.objects.filter(date=date, status="done").order_by("-started_at").first()
    result["DailyRun.forecast"] = run.forecast if run else None
    with open(path, "w") as handle:
        json.dump(result, handle)


def _differences(a: Any, b: Any, where: str, found: list[tuple[str, Any, Any, bool]]) -> None:
    """Append (where, a, b, beyond tolerance) for every differing leaf."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            _differences(a.get(key, "<missing>"), b.get(key, "<missing>"), f"{where}.{key}", found)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            _differences(x, y, f"{where}[{index}]", found)
    elif (
        isinstance(a, float | int)
        and isinstance(b, float | int)
        and not isinstance(a, bool)
        and not isinstance(b, bool)
    ):
        if a != b and not (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)):
            close = math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE)
            found.append((where, a, b, not close))
    elif a != b:
        found.append((where, a, b, True))


def compare(path_a: str, path_b: str) -> bool:
    """Print the comparison; True when every stored value agrees within the tolerance."""
    with open(path_a) as handle:
        first = json.load(handle)
    with open(path_b) as handle:
        second = json.load(handle)
    same = True
    for name, (key, left_out) in TABLES.items():
        rows_a, rows_b = (
            {tuple(r[k] for k in key): {f: r[f] for f in r if f not in left_out} for r in dumped[name]}
            for dumped in (first, second)
        )
        found: list[tuple[str, Any, Any, bool]] = []
        _differences(rows_a, rows_b, name, found)
        beyond = [d for d in found if d[3]]
        print(
            f"  {name}: {len(rows_a)} rows against {len(rows_b)}; {len(found)} values differ, "
            f"{len(beyond)} beyond {TOLERANCE:g}"
        )
        for where, a, b, _beyond in beyond[:5]:
            print(f"    {where}: {a!r} != {b!r}")
        same = same and not beyond and len(rows_a) == len(rows_b)
    found = []
    _differences(first["DailyRun.forecast"], second["DailyRun.forecast"], "forecast", found)
    beyond = [d for d in found if d[3]]
    print(f"  the forecast choice: {len(found)} values differ, {len(beyond)} beyond {TOLERANCE:g}")
    for where, a, b, _beyond in beyond[:5]:
        print(f"    {where}: {a!r} != {b!r}")
    return same and not beyond


if __name__ == "__main__":
    if sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "compare":
        sys.exit(0 if compare(sys.argv[2], sys.argv[3]) else 1)
    else:
        sys.exit(__doc__)
