"""Generation time of the synthetic nation at each scale, the tiny fixture's generate + import time, and the
nation's calibration figures against the published ones.

Machine this was written for: 2 cores, 24 GiB (shared with other work; timings are indicative, so the CPU
time of this process is printed next to the wall time).

Targets (issue 3): `tiny` generates and imports in under 5 s; `nation` generates in at most 60 s. Calibration
targets (DOMAIN.md sections 4 and 8): 99.2 crimes per 100,000 a year, IT crime 44 % with 98 % bank cards
and methods 60/16/11/9/4 %, 44.8 % of mahallas without crime, 7.4 % red and 47.9 % yellow.

Usage::

    .venv/bin/python bench/bench_generate.py [--seed N] [--skip-region]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize, stats

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mahalla.demo.generator import generate  # noqa: E402
from mahalla.engine.classification import classification_summary, classify_mahallas  # noqa: E402
from mahalla.incidents.reference_data import reference_article_rules  # noqa: E402

AS_OF = date(2026, 1, 1)


def timed(label: str, function, target: float | None = None):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    ratio = f"  ({wall / target:.2f} x the {target:g} s target)" if target else ""
    print(f"{label:<34} wall {wall:7.2f} s   cpu {cpu:7.2f} s{ratio}")
    return result, wall


def tiny_generate_and_import(seed: int) -> None:
    """Tiny generation + both imports into a fresh SQLite database (migrations excluded, reported apart)."""
    var = Path(tempfile.mkdtemp(prefix="bench-generate-"))
    os.environ["MAHALLA_VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("MAHALLA_SECRET_KEY", "bench-only")
    import django

    django.setup()
    from django.core.management import call_command

    timed("migrate (fresh SQLite, not counted)", lambda: call_command("migrate", verbosity=0))

    def run() -> None:
        generate("tiny", seed, AS_OF, var / "tiny")
        call_command(
            "import", "territories", str(var / "tiny" / "territories.csv"), no_progress=True, verbosity=0
        )
        call_command("import", "offences", str(var / "tiny" / "offences.csv"), no_progress=True, verbosity=0)

    timed("tiny: generate + import", run, target=5.0)


def category_of(crimes: pd.DataFrame) -> pd.Series:
    rules = {
        (r["code_kind"], r["article"]): r["category"] for r in reference_article_rules() if not r["condition"]
    }
    category = pd.Series([rules[("criminal", a)] for a in crimes["article"]], index=crimes.index)
    cyber = crimes["article"].str.startswith("278-") | (
        crimes["article"].isin(["168", "169"])
        & ((crimes["computer_means"] == "1") | (crimes["bank_card"] == "1"))
    )
    return category.where(~cyber, "cyber")


def nb_size_mle(totals: np.ndarray) -> float:
    """Maximum-likelihood size of a negative binomial with the sample mean (scipy's nbinom)."""
    mean = totals.mean()

    def negative_log_likelihood(log_size: float) -> float:
        size = np.exp(log_size)
        return -float(stats.nbinom.logpmf(totals, size, size / (size + mean)).sum())

    return float(
        np.exp(optimize.minimize_scalar(negative_log_likelihood, bounds=(-5, 3), method="bounded").x)
    )


def calibration(directory: Path, as_of: date) -> None:
    territories = pd.read_csv(directory / "territories.csv", dtype=str, keep_default_na=False)
    mahallas = territories[territories["level"] == "mahalla"].set_index("code")
    population = mahallas["population"].astype(int)
    offences = pd.read_csv(directory / "offences.csv", dtype=str, keep_default_na=False)
    offences["occurred"] = pd.to_datetime(offences["occurred_at"])
    crimes = offences[offences["code_kind"] == "criminal"].copy()
    crimes["category"] = category_of(crimes)
    cyber = crimes[crimes["category"] == "cyber"]
    rate = len(crimes) / 3 / population.sum() * 100_000
    print(
        f"\nmahallas {len(mahallas)}, population {population.sum():,}, crimes {len(crimes):,}, "
        f"administrative {len(offences) - len(crimes):,}"
    )
    print(f"crimes per 100,000 a year      {rate:7.2f}   (published 99.2; ratio {rate / 99.2:.3f})")
    print(f"IT crime share                 {len(cyber) / len(crimes):7.3f}   (published 0.444)")
    print(f"  with a bank card             {(cyber['bank_card'] == '1').mean():7.3f}   (published ~0.98)")
    methods = cyber["cyber_method"].value_counts(normalize=True)
    print(
        "  methods                      "
        + ", ".join(
            f"{k} {methods[k]:.3f}"
            for k in ("malicious_link", "sms_code", "marketplace", "investment", "loan")
        )
        + "   (published 60/16/11/9/4 %)"
    )
    end = pd.Timestamp(as_of)
    frames = []
    for year in range(3):
        low, high = end - pd.Timedelta(days=365 * (3 - year)), end - pd.Timedelta(days=365 * (2 - year))
        window = crimes[(crimes["occurred"] >= low) & (crimes["occurred"] < high)]
        frames.append(
            window.groupby(["mahalla_code", "category"])
            .size()
            .unstack(fill_value=0)
            .reindex(population.index, fill_value=0)
        )
    for year, frame in enumerate(frames):
        totals = frame.sum(axis=1).to_numpy()
        mean = totals.mean()
        size = nb_size_mle(totals)
        line = (
            f"year {year + 1}: no crime {np.mean(totals == 0):.3f} (published 0.448), mean {mean:.2f}, "
            f"variance/mean {totals.var() / mean:.1f}, NB size (MLE) {size:.3f}"
        )
        if year:
            summary = classification_summary(
                classify_mahallas(
                    frame, population, district=mahallas["parent_code"], previous_counts=frames[year - 1]
                )
            )
            line += (
                f"; default classification: green {summary['green_share']:.3f}, yellow "
                f"{summary['yellow_share']:.3f} (0.479), red {summary['red_share']:.3f} (0.074)"
            )
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--skip-region", action="store_true")
    args = parser.parse_args()
    print("machine: 2 cores, 24 GiB (shared); seed", args.seed, "as of", AS_OF)
    out = Path(tempfile.mkdtemp(prefix="bench-nation-"))
    timed("tiny: generate", lambda: generate("tiny", args.seed, AS_OF, out / "tiny"))
    if not args.skip_region:
        timed("region: generate", lambda: generate("region", args.seed, AS_OF, out / "region"))
    timed("nation: generate", lambda: generate("nation", args.seed, AS_OF, out / "nation"), target=60.0)
    tiny_generate_and_import(args.seed)
    calibration(out / "nation", AS_OF)


if __name__ == "__main__":
    main()
