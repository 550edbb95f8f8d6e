"""The Django side of the method classifier: the active version loaded once per process, training that
records a new version (metrics, number of officers' corrections used) and makes it active."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import joblib
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mahalla.audit.models import AuditAction
from mahalla.audit.services import audit_record

from .classifier import MethodClassifier, TrainingRow, evaluate, reference_rows
from .models import ClassifierVersion, CyberReport
from .text import script_of

_lock = threading.Lock()
_loaded: dict[str, Any] = {}


def model_directory() -> Path:
    return Path(getattr(settings, "CYBER_MODEL_DIR", "") or Path(settings.VAR_DIR) / "cyber-models")


def active_classifier() -> tuple[str, MethodClassifier] | None:
    version = ClassifierVersion.objects.filter(active=True).order_by("-trained_at").first()
    if version is None:
        return None
    with _lock:
        if _loaded.get("version") != version.version:
            path = Path(version.path)
            if not path.is_file():
                return None
            _loaded["model"] = joblib.load(path)
            _loaded["version"] = version.version
        return version.version, _loaded["model"]


def warm_up() -> None:
    """Load the active classifier and the reference tables now (the server calls it before it forks): the
    first public report of each server process then pays no model loading."""
    from django.db import DatabaseError

    from .reference_data import reference_sync

    try:
        loaded = active_classifier()
        if loaded is not None:
            loaded[1].classify(["warm up"])
        reference_sync(force=True)
    except DatabaseError:  # not migrated yet: nothing to load
        return


def correction_rows() -> list[TrainingRow]:
    rows = []
    for narrative, message, method in CyberReport.objects.exclude(method_corrected="").values_list(
        "narrative", "message_text", "method_corrected"
    ):
        text = f"{narrative}\n{message}"
        script = script_of(text)
        language = {"uz-cyrl": "uz-cyrl", "cyrl": "ru"}.get(script, "uz")
        rows.append(TrainingRow(text, method, language, "correction"))
    return rows


def classifier_train(
    *, actor: Any = None, extra_rows: Sequence[TrainingRow] = (), evaluate_first: bool = True
) -> ClassifierVersion:
    """Train on the shipped data, ``extra_rows`` (e.g. the generator's texts) and every officer's correction;
    evaluate on a held-out quarter first; store the model under a new version and make it active."""
    corrections = correction_rows()
    rows = reference_rows() + list(extra_rows) + corrections
    metrics = evaluate(rows) if evaluate_first else {}
    model = MethodClassifier().fit([r.text for r in rows], [r.method for r in rows])
    now = timezone.now()
    version_name = now.strftime("%Y%m%dT%H%M%S") + f"-{len(rows)}"
    directory = model_directory()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"method-classifier-{version_name}.joblib"
    joblib.dump(model, path)
    with transaction.atomic():
        ClassifierVersion.objects.filter(active=True).update(active=False)
        version = ClassifierVersion.objects.create(
            version=version_name,
            trained_at=now,
            path=str(path),
            metrics=metrics,
            training_rows=len(rows),
            corrections_used=len(corrections),
            active=True,
        )
        audit_record(
            actor=actor,
            action=AuditAction.RUN,
            object_type="cyber.classifierversion",
            object_id=version.pk,
            object_repr=version_name,
            details={"rows": len(rows), "corrections": len(corrections), "overall": metrics.get("overall")},
        )
    return version


def reports_reclassify(*, since: dt.datetime | None = None) -> int:
    """Classify again the reports not corrected by an officer (after a new version)."""
    loaded = active_classifier()
    if loaded is None:
        return 0
    version, model = loaded
    queryset = CyberReport.objects.filter(method_corrected="")
    if since is not None:
        queryset = queryset.filter(reported_at__gte=since)
    changed = 0
    batch: list[CyberReport] = []
    for report in queryset.only("pk", "narrative", "message_text").iterator(chunk_size=5000):
        batch.append(report)
        if len(batch) == 5000:
            changed += _reclassify_batch(batch, version, model)
            batch = []
    if batch:
        changed += _reclassify_batch(batch, version, model)
    return changed


def _reclassify_batch(batch: list[CyberReport], version: str, model: MethodClassifier) -> int:
    texts = [f"{r.narrative}\n{r.message_text}" for r in batch]
    for report, result in zip(batch, model.classify(texts), strict=True):
        report.method = result.method
        report.method_probability = round(result.probability, 4)
        report.method_words = result.words
        report.method_model_version = version
    CyberReport.objects.bulk_update(
        batch, ["method", "method_probability", "method_words", "method_model_version"], batch_size=2000
    )
    return len(batch)
