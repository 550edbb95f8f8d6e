"""Drug-selling posts in Uzbek and Russian: a classifier, and the extraction of the identifiers a post gives
away (handles, wallets, cards, drop descriptions and coordinates).

The slang is data (``mahalla/links/reference/slang.yaml``), passed in as a :class:`Lexicon`; nothing here
names a drug. Text is normalised first (lower case, the look-alike Latin and Cyrillic letters and digits
sellers swap in to dodge filters folded to one form, separators inside words removed) so that "з@кл@дк@",
"zaklаdka" with a Cyrillic a, and "к л а д" meet the lexicon. The classifier is a logistic regression
(scikit-learn) over character n-grams of 2 to 5 (robust to the spelling games and to the mix of scripts)
and the counts of lexicon terms per class (drug words, drop words, payment words, contact words).

Cards are 16 digits passing the Luhn check; they are returned as a hash (for entity resolution) and a mask
(first six and last four, for display), never in clear. Wallets: Bitcoin (bech32 and base58), Tron (USDT
TRC-20) and Ethereum-style addresses.

References
----------
Luhn, H. P. (1960). Computer for verifying numbers. US Patent 2,950,048.
Cavnar, W. B. & Trenkle, J. M. (1994). N-gram-based text categorization. Proceedings of SDAIR-94, 161-175.

Example
-------
>>> lexicon = Lexicon(drug=["shishka"], drop=["klad"], payment=["karta"], contact=["bot"])
>>> extract("Shishka bor, klad tayyor. Yozing @fast_shop_bot, karta 8600 1234 5678 9012", lexicon).handles
['fast_shop_bot']
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

# Look-alikes folded to Latin: Cyrillic letters that look like Latin ones, digits and symbols used as letters.
_FOLD = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "к": "k",
        "м": "m",
        "т": "t",
        "в": "b",
        "н": "h",
        "і": "i",
        "ё": "e",
        "@": "a",
        "0": "o",
        "3": "з",
        "$": "s",
        "4": "ч",
    }
)
_SPACED = re.compile(r"\b(?:\w[ .\-_*]){3,}\w\b")
_HANDLE = re.compile(r"(?:@|t\.me/|telegram\.me/)([A-Za-z][A-Za-z0-9_]{3,31})")
_BTC = re.compile(r"\b(bc1[a-z0-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})\b")
_TRON = re.compile(r"\b(T[1-9A-HJ-NP-Za-km-z]{33})\b")
_ETH = re.compile(r"\b(0x[a-fA-F0-9]{40})\b")
_CARD = re.compile(r"(?<!\d)((?:\d[ \-]?){15}\d)(?!\d)")
_COORDINATES = re.compile(r"(-?\d{1,2}\.\d{4,})\s*[,;]\s*(-?\d{1,3}\.\d{4,})")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")  # a full stop inside 41.3111 does not end one


@dataclass(frozen=True)
class Lexicon:
    """Slang terms per class, in any script (normalised on use)."""

    drug: Sequence[str]
    drop: Sequence[str]
    payment: Sequence[str]
    contact: Sequence[str]

    def classes(self) -> dict[str, list[str]]:
        return {
            name: sorted({normalise(term) for term in terms})
            for name, terms in (
                ("drug", self.drug),
                ("drop", self.drop),
                ("payment", self.payment),
                ("contact", self.contact),
            )
        }


def normalise(text: str) -> str:
    """Lower case, spaced-out words joined, look-alike letters folded to one form."""
    lowered = text.lower()
    joined = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), lowered)
    return joined.translate(_FOLD)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


@dataclass(frozen=True)
class Card:
    hash: str  # sha256 of the 16 digits: the pivot value that joins records
    mask: str  # 860012******9012


@dataclass(frozen=True)
class Extraction:
    handles: list[str] = field(default_factory=list)
    wallets: list[tuple[str, str]] = field(default_factory=list)  # (kind, address)
    cards: list[Card] = field(default_factory=list)
    drop_descriptions: list[str] = field(default_factory=list)
    coordinates: list[tuple[float, float]] = field(default_factory=list)
    terms: dict[str, list[str]] = field(default_factory=dict)  # lexicon terms found, per class


def card_hash(digits: str) -> str:
    return hashlib.sha256(digits.encode("ascii")).hexdigest()


def extract(text: str, lexicon: Lexicon) -> Extraction:
    """The identifiers and drop descriptions in one post."""
    handles = sorted({m.group(1).lower() for m in _HANDLE.finditer(text)})
    wallets: list[tuple[str, str]] = []
    for kind, pattern in (("btc", _BTC), ("tron", _TRON), ("eth", _ETH)):
        wallets.extend((kind, m.group(1)) for m in pattern.finditer(text))
    cards: list[Card] = []
    for m in _CARD.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if len(digits) == 16 and luhn_valid(digits):
            cards.append(Card(hash=card_hash(digits), mask=f"{digits[:6]}******{digits[-4:]}"))
    coordinates = [
        (float(a), float(b))
        for a, b in _COORDINATES.findall(text)
        if abs(float(a)) <= 90 and abs(float(b)) <= 180
    ]
    classes = lexicon.classes()
    folded = normalise(text)
    terms = {name: [t for t in words if t and t in folded] for name, words in classes.items()}
    drops = []
    for sentence in filter(None, (part.strip() for part in _SENTENCE_END.split(text))):
        if any(term in normalise(sentence) for term in classes["drop"]) or _COORDINATES.search(sentence):
            drops.append(sentence.strip())
    return Extraction(
        handles=handles,
        wallets=sorted(set(wallets)),
        cards=cards,
        drop_descriptions=drops,
        coordinates=coordinates,
        terms={name: found for name, found in terms.items() if found},
    )


def _lexicon_features(texts: Sequence[str], lexicon: Lexicon) -> csr_matrix:
    classes = lexicon.classes()
    rows = []
    for text in texts:
        folded = normalise(text)
        rows.append([sum(folded.count(term) for term in terms if term) for terms in classes.values()])
    return csr_matrix(np.log1p(np.asarray(rows, dtype=np.float64)))


class PostClassifier:
    """Drug-selling post or not, from character n-grams and lexicon counts.

    Parameters
    ----------
    lexicon : Lexicon
    C : float
        Inverse regularisation strength of the logistic regression.
    threshold : float
        Probability from which a post is called drug-selling.
    random_state : int
    """

    def __init__(self, lexicon: Lexicon, *, C: float = 4.0, threshold: float = 0.5, random_state: int = 0):
        self.lexicon = lexicon
        self.C = C
        self.threshold = threshold
        self.random_state = random_state

    def _features(self, texts: Sequence[str], *, fit: bool) -> csr_matrix:
        normalised = [normalise(t) for t in texts]
        ngrams = self.vectoriser_.fit_transform(normalised) if fit else self.vectoriser_.transform(normalised)
        return hstack([ngrams, _lexicon_features(texts, self.lexicon)]).tocsr()

    def fit(self, texts: Sequence[str], labels: Sequence[int]) -> PostClassifier:
        if len(texts) != len(labels) or not texts:
            raise ValueError("texts and labels must be non-empty and of one length")
        if set(int(x) for x in labels) != {0, 1}:
            raise ValueError("labels must contain both 0 and 1")
        self.vectoriser_ = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True
        )
        features = self._features(texts, fit=True)
        self.model_ = LogisticRegression(C=self.C, max_iter=2000, random_state=self.random_state)
        self.model_.fit(features, np.asarray(labels, dtype=np.int64))
        return self

    def predict_proba(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        return np.asarray(self.model_.predict_proba(self._features(texts, fit=False))[:, 1], dtype=np.float64)

    def predict(self, texts: Sequence[str]) -> npt.NDArray[np.int64]:
        return (self.predict_proba(texts) >= self.threshold).astype(np.int64)


def precision_recall(truth: Sequence[int], predicted: Sequence[int]) -> tuple[float, float]:
    t = np.asarray(truth, dtype=bool)
    p = np.asarray(predicted, dtype=bool)
    true_positive = float((t & p).sum())
    precision = true_positive / float(p.sum()) if p.any() else 0.0
    recall = true_positive / float(t.sum()) if t.any() else 0.0
    return precision, recall
