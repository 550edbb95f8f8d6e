"""The roadmap templates, the rules that turn a mahalla's explanation into templates, and the mapping from
causes to recommended measures: data files in `reference/`, read once and checked against each other.

Editing a file changes the behaviour without code: a new problem is a row of templates.csv and its
measures in template_measures.csv; a new rule is a row of explanation_rules.csv; a new recommendation a row
of cause_measures.csv. A file that refers to an unknown template or measure fails loudly, naming the file,
the row and the value.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.translation import get_language

from mahalla.core.errors import ApplicationError

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
RULE_FACTORS = ("class", "category", "flag", "cause", "signal")
# Signals an app above roadmaps reports (signals.py): a rule on one fires on its count alone.
RULE_SIGNALS = ("drop_cluster",)
# Offence flags a rule may name (fields of incidents.Offence).
RULE_FLAGS = (
    "involves_minor",
    "involves_youth",
    "involves_woman",
    "family_relation",
    "under_alcohol",
    "under_drugs",
    "repeat_offender",
)


def _localised(titles: dict[str, str]) -> str:
    language = (get_language() or "en")[:2]
    return titles.get(language) or titles["en"]


@dataclass(frozen=True)
class TemplateMeasure:
    template_key: str
    key: str
    kind: str
    duration_days: int
    titles: dict[str, str]

    @property
    def title(self) -> str:
        return _localised(self.titles)


@dataclass(frozen=True)
class RoadmapTemplate:
    key: str
    titles: dict[str, str]
    measures: tuple[TemplateMeasure, ...]

    @property
    def title(self) -> str:
        return _localised(self.titles)


@dataclass(frozen=True)
class ExplanationRule:
    factor: str
    subject: str
    min_share: float | None
    min_count: int
    template_key: str


@dataclass(frozen=True)
class Catalogue:
    templates: dict[str, RoadmapTemplate]
    rules: tuple[ExplanationRule, ...]
    cause_measures: dict[str, tuple[TemplateMeasure, ...]]

    def template(self, key: str) -> RoadmapTemplate:
        try:
            return self.templates[key]
        except KeyError:
            raise ApplicationError(
                f"Unknown roadmap template {key!r}; known: {', '.join(sorted(self.templates))}",
                {"template": key},
            ) from None


def _rows(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise ApplicationError(
                f"{path.name}: missing column(s) {', '.join(missing)}", {"file": path.name}
            )
        return [(number, row) for number, row in enumerate(reader, start=2)]


def catalogue_load(directory: Path = REFERENCE_DIR) -> Catalogue:
    """Read and cross-check the four files of `directory`."""
    titles = ("title_en", "title_uz", "title_ru")
    heads: dict[str, dict[str, str]] = {}
    for number, row in _rows(directory / "templates.csv", ("key", *titles)):
        key = row["key"].strip()
        if not key or key in heads:
            raise ApplicationError(
                f"templates.csv row {number}: empty or repeated key {key!r}", {"row": number}
            )
        heads[key] = {t[-2:]: row[t].strip() for t in titles}
    measures: dict[str, list[TemplateMeasure]] = {key: [] for key in heads}
    by_key: dict[tuple[str, str], TemplateMeasure] = {}
    columns = ("template_key", "key", "kind", "duration_days", *titles)
    from .models import MeasureKind  # the kinds are the model's choices

    for number, row in _rows(directory / "template_measures.csv", columns):
        where = f"template_measures.csv row {number}"
        if row["template_key"] not in heads:
            raise ApplicationError(f"{where}: unknown template {row['template_key']!r}", {"row": number})
        if row["kind"] not in MeasureKind.values:
            raise ApplicationError(f"{where}: unknown measure kind {row['kind']!r}", {"row": number})
        try:
            duration = int(row["duration_days"])
        except ValueError:
            duration = 0
        if duration < 1:
            raise ApplicationError(
                f"{where}: duration_days must be a positive whole number, got {row['duration_days']!r}",
                {"row": number},
            )
        measure = TemplateMeasure(
            row["template_key"], row["key"], row["kind"], duration, {t[-2:]: row[t].strip() for t in titles}
        )
        if (measure.template_key, measure.key) in by_key:
            raise ApplicationError(f"{where}: measure {measure.key!r} repeated", {"row": number})
        by_key[(measure.template_key, measure.key)] = measure
        measures[measure.template_key].append(measure)
    empty = [key for key, items in measures.items() if not items]
    if empty:
        raise ApplicationError(f"template_measures.csv: templates without measures: {', '.join(empty)}")
    templates = {key: RoadmapTemplate(key, heads[key], tuple(measures[key])) for key in heads}

    rules = []
    rule_columns = ("factor", "subject", "min_share", "min_count", "template_key")
    for number, row in _rows(directory / "explanation_rules.csv", rule_columns):
        where = f"explanation_rules.csv row {number}"
        if row["factor"] not in RULE_FACTORS:
            raise ApplicationError(f"{where}: factor must be one of {RULE_FACTORS}, got {row['factor']!r}")
        if row["factor"] == "flag" and row["subject"] not in RULE_FLAGS:
            raise ApplicationError(f"{where}: unknown offence flag {row['subject']!r}")
        if row["template_key"] not in heads:
            raise ApplicationError(f"{where}: unknown template {row['template_key']!r}")
        try:
            share = float(row["min_share"]) if row["min_share"] else None
            count = int(row["min_count"] or 0)
        except ValueError:
            raise ApplicationError(f"{where}: min_share and min_count must be numbers") from None
        if row["factor"] == "signal" and row["subject"] not in RULE_SIGNALS:
            raise ApplicationError(f"{where}: unknown signal {row['subject']!r}")
        if row["factor"] not in ("class", "signal") and (share is None or not 0 < share <= 1):
            raise ApplicationError(f"{where}: min_share must be in (0, 1], got {row['min_share']!r}")
        rules.append(ExplanationRule(row["factor"], row["subject"], share, count, row["template_key"]))

    recommended: dict[str, list[TemplateMeasure]] = {}
    for number, row in _rows(directory / "cause_measures.csv", ("cause_code", "template_key", "measure_key")):
        measure_or_none = by_key.get((row["template_key"], row["measure_key"]))
        if measure_or_none is None:
            raise ApplicationError(
                f"cause_measures.csv row {number}: no measure {row['measure_key']!r} in template "
                f"{row['template_key']!r}",
                {"row": number},
            )
        recommended.setdefault(row["cause_code"], []).append(measure_or_none)
    return Catalogue(templates, tuple(rules), {k: tuple(v) for k, v in recommended.items()})


@cache
def catalogue() -> Catalogue:
    """The catalogue of the shipped reference files (read once per process)."""
    return catalogue_load()
