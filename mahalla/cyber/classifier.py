"""Classification of a report by scam method: TF-IDF of word stems and words, logistic regression, calibrated.

No Django. Every text is first put in one script (text.to_latin: Uzbek Cyrillic and Russian to Latin letters),
so Uzbek in both scripts shares its features. Word stems (the first six letters) carry the morphology of
Uzbek and Russian endings; whole words give the officer readable reasons. Probabilities are calibrated
with Platt scaling in cross-validation (scikit-learn CalibratedClassifierCV, sigmoid; Niculescu-Mizil &
Caruana 2005). The deciding words are the words of the text with the largest contribution (tf-idf weight
times the averaged coefficient) to the chosen class.

Training data (``training_rows``):

- ScamGuard seed messages (real hand-written uz/ru/en scam texts, MIT): their scam categories mapped to the
  methods of DOMAIN.md 8 (``SCAMGUARD_METHODS``); legitimate messages are left out (every report is a scam);
- UCI SMS Spam Collection (CC BY 4.0): spam with a link -> malicious link, spam about loans or credit -> loan,
  other spam -> other; ham left out;
- texts supplied by the caller: the demo generator's reports and officers' corrections.
"""

from __future__ import annotations

import csv
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import train_test_split

from .text import script_of, to_latin

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
METHODS = ("malicious_link", "sms_code", "marketplace", "investment", "loan", "other")
SCAMGUARD_METHODS = {
    "prize": "malicious_link",
    "apk": "malicious_link",
    "gov": "malicious_link",
    "blocked_account": "sms_code",
    "bank_impersonation": "sms_code",
    "marketplace": "marketplace",
    "easy_money": "investment",
    "relative": "other",
    "advance_fee": "other",
}
_URL_HINT = re.compile(r"https?://|www\.|\.(?:com|net|co\.uk|org|biz)\b", re.IGNORECASE)
_LOAN_HINT = re.compile(r"\b(?:loan|credit|debt)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Classification:
    """A report's method, its calibrated probability and the words that decided it."""

    method: str
    probability: float
    words: list[str]


@dataclass(frozen=True)
class TrainingRow:
    text: str
    method: str
    language: str  # uz, uz-cyrl, ru, en
    source: str  # scamguard, uci, generator, correction


def reference_rows() -> list[TrainingRow]:
    rows = []
    with (REFERENCE_DIR / "scamguard_uz_ru_en_seed_messages.csv").open(encoding="utf-8") as handle:
        for record in csv.DictReader(handle):
            method = SCAMGUARD_METHODS.get(record["category"])
            if record["label"] != "1" or method is None:
                continue
            language = record["lang"]
            if language == "uz" and script_of(record["text"]) != "latn":
                language = "uz-cyrl"
            rows.append(TrainingRow(record["text"], method, language, "scamguard"))
    with (REFERENCE_DIR / "uci_sms_spam_collection.tsv").open(encoding="utf-8") as handle:
        next(handle)
        for line in handle:
            label, _, text = line.rstrip("\n").partition("\t")
            if label != "spam":
                continue
            if _URL_HINT.search(text):
                method = "malicious_link"
            elif _LOAN_HINT.search(text):
                method = "loan"
            else:
                method = "other"
            rows.append(TrainingRow(text, method, "en", "uci"))
    return rows


_LONG_WORDS = re.compile(r"(\w{6})\w+")
_FIRST_GROUP = operator.methodcaller("group", 1)


def prepare(text: str) -> str:
    return to_latin(text)


def stems(prepared: str) -> str:
    """Every word cut to its first six letters: a cheap stemmer for Uzbek's and Russian's suffixes
    ("kartangiz", "kartamdan" -> "kartan", "kartam"; "заблокирована" -> "zablok")."""
    # A C-level callable rather than the template r"\1": Python 3.11 expands templates in Python, per match.
    return _LONG_WORDS.sub(_FIRST_GROUP, prepared)


class MethodClassifier:
    """Calibrated method classifier.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    random_state : int
        Seed of the cross-validation folds and the solver.

    Examples
    --------
    >>> model = MethodClassifier().fit(texts, methods)  # doctest: +SKIP
    >>> model.predict(["Karta bloklandi, SMS kodni ayting"])  # doctest: +SKIP
    """

    def __init__(self, C: float = 8.0, random_state: int = 0) -> None:
        self.C = C
        self.random_state = random_state

    def fit(self, texts: Sequence[str], methods: Sequence[str]) -> MethodClassifier:
        if len(texts) != len(methods) or not texts:
            raise ValueError("texts and methods must be non-empty and of equal length")
        unknown = set(methods) - set(METHODS)
        if unknown:
            raise ValueError(f"unknown methods: {sorted(unknown)}")
        prepared = [prepare(t) for t in texts]
        # Word stems (uni- and bigrams) carry the morphology; whole words give the officer readable reasons.
        # Character n-grams would add a little accuracy at fifteen times the cost per report.
        self.stems_ = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
        self.words_ = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, 2),
            min_df=1,
            sublinear_tf=True,
            token_pattern=r"(?u)\b[\w']{2,}\b",  # noqa: S106 - a regular expression,
        )
        features = sparse.hstack(
            [self.stems_.fit_transform([stems(p) for p in prepared]), self.words_.fit_transform(prepared)]
        ).tocsr()
        labels = np.asarray(methods)
        smallest = min(int((labels == m).sum()) for m in set(methods))
        base = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state)
        self.model_ = CalibratedClassifierCV(base, method="sigmoid", cv=max(2, min(3, smallest)))
        self.model_.fit(features, labels)
        self.classes_ = list(self.model_.classes_)
        n_stems = len(self.stems_.vocabulary_)
        coefs = np.mean([c.estimator.coef_ for c in self.model_.calibrated_classifiers_], axis=0)
        self.word_coef_ = coefs[:, n_stems:]
        self.word_names_ = self.words_.get_feature_names_out()
        return self

    def _transform(self, texts: Sequence[str]) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """(all features, the whole-word block) of ``texts``: each text is put in one script once."""
        prepared = [prepare(t) for t in texts]
        words = self.words_.transform(prepared)
        return sparse.hstack([self.stems_.transform([stems(p) for p in prepared]), words]).tocsr(), words

    def _features(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self._transform(texts)[0]

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.model_.predict_proba(self._features(texts))

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        return [(c.method, c.probability) for c in self.classify(texts, words=0)]

    def classify(self, texts: Sequence[str], *, words: int = 5) -> list[Classification]:
        """The method, its calibrated probability and the ``words`` deciding words of every text, in one pass
        over the batch (the import and the daily run classify thousands of reports at a time)."""
        if not texts:
            return []
        features, word_block = self._transform(texts)
        probabilities = self.model_.predict_proba(features)
        best = probabilities.argmax(axis=1)
        deciding = self._deciding(word_block, best, words) if words > 0 else [[] for _ in texts]
        return [
            Classification(self.classes_[i], float(probabilities[row, i]), deciding[row])
            for row, i in enumerate(best)
        ]

    def _deciding(self, word_block: sparse.csr_matrix, classes: np.ndarray, k: int) -> list[list[str]]:
        """Per row, the ``k`` words with the largest positive contribution (tf-idf weight times the averaged
        coefficient) to the row's class; ties go to the later word in the (alphabetical) vocabulary."""
        block = word_block.tocsr()
        block.sort_indices()
        rows = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))
        scores = block.data * self.word_coef_[classes[rows], block.indices]
        # One sort for the whole batch: by row, then score descending, then column descending.
        order = np.lexsort((-block.indices, -scores, rows))
        order = order[scores[order] > 0]
        kept_rows = rows[order]
        starts = np.searchsorted(kept_rows, np.arange(block.shape[0]))
        rank = np.arange(len(order)) - starts[kept_rows]
        order = order[rank < k]
        out: list[list[str]] = [[] for _ in range(block.shape[0])]
        for row, column in zip(rows[order].tolist(), block.indices[order].tolist(), strict=True):
            out[row].append(str(self.word_names_[column]))
        return out

    def deciding_words(self, text: str, method: str, k: int = 5) -> list[str]:
        """The words of ``text`` that pushed hardest towards ``method``."""
        if method not in self.classes_:
            return []
        block = self.words_.transform([prepare(text)])
        return self._deciding(block, np.array([self.classes_.index(method)]), k)[0]


def evaluate(
    rows: Sequence[TrainingRow], *, test_size: float = 0.25, random_state: int = 0
) -> dict[str, Any]:
    """Held-out macro-F1 overall, per language and for the real (non-generated) rows."""
    labels = [r.method for r in rows]
    counts = {m: labels.count(m) for m in set(labels)}
    stratify = labels if min(counts.values()) >= 2 else None
    train, test = train_test_split(
        list(rows), test_size=test_size, random_state=random_state, stratify=stratify
    )
    model = MethodClassifier(random_state=random_state).fit(
        [r.text for r in train], [r.method for r in train]
    )
    predicted = [m for m, _ in model.predict([r.text for r in test])]
    truth = [r.method for r in test]

    def score(mask: list[bool]) -> dict[str, Any]:
        t = [x for x, keep in zip(truth, mask, strict=True) if keep]
        p = [x for x, keep in zip(predicted, mask, strict=True) if keep]
        if not t:
            return {"n": 0, "macro_f1": None}
        return {
            "n": len(t),
            "macro_f1": round(float(f1_score(t, p, average="macro", labels=sorted(set(t)))), 4),
        }

    result: dict[str, Any] = {"train": len(train), "test": len(test), "overall": score([True] * len(test))}
    result["by_language"] = {
        lang: score([r.language == lang for r in test]) for lang in ("uz", "uz-cyrl", "ru", "en")
    }
    result["by_source"] = {
        src: score([r.source == src for r in test]) for src in sorted({r.source for r in test})
    }
    return result
