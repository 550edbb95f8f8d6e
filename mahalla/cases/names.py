"""Names across the three scripts: Uzbek Latin, Uzbek Cyrillic and Russian.

A person written "Karimova Malika", "Каримова Малика" and "Karimova Maлika" (a mixed-script typo) must meet
as one candidate. Every spelling is reduced to a coarse Latin *skeleton*: Cyrillic letters are read back to
Latin, then the letters that the three spellings render differently are folded together (o'/ў/у -> u,
q/қ/к -> k, h/ҳ/х/x -> h, g'/ғ -> g, j/ж/дж -> j, e/э -> e, the soft and hard signs and the tutuq belgisi
dropped, "iy"/"yy" endings and doubled letters folded). The skeleton is a blocking and comparison key, never
shown to anyone.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from mahalla.core.transliterate import normalise_apostrophes

# Cyrillic (Uzbek and Russian) read back to Latin, before folding.
_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "", "ы": "i", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ў": "u", "қ": "k", "ғ": "g",
    "ҳ": "h",
}  # fmt: skip

_FOLDS = (
    ("o'", "u"),
    ("g'", "g"),
    ("'", ""),
    ("dj", "j"),
    ("q", "k"),
    ("x", "h"),
    ("w", "v"),
    ("ye", "e"),
    ("yo", "o"),
    ("iy", "i"),
    ("yy", "i"),
    ("y", "i"),
)
_NON_LETTERS = re.compile(r"[^a-z ]+")
_DOUBLES = re.compile(r"(.)\1+")


def name_skeleton(text: str) -> str:
    """The folded Latin skeleton of a name in any of the three scripts.

    >>> name_skeleton("Karimova Malika") == name_skeleton("Каримова Малика")
    True
    >>> name_skeleton("O'ktam Qodirov") == name_skeleton("Уктам Кодиров") == name_skeleton("Ўктам Қодиров")
    True
    """
    lowered = normalise_apostrophes(text).lower()
    latin = "".join(_CYRILLIC_TO_LATIN.get(char, char) for char in lowered)
    for source, target in _FOLDS:
        latin = latin.replace(source, target)
    latin = _NON_LETTERS.sub(" ", latin)
    latin = _DOUBLES.sub(r"\1", latin)
    return " ".join(latin.split())


def name_similarity(left: str, right: str) -> float:
    """Similarity in [0, 1] of two skeletons, insensitive to the order of the name parts ("Malika Karimova"
    against "Karimova Malika")."""
    if not left or not right:
        return 0.0
    in_order = SequenceMatcher(None, left, right).ratio()
    sorted_left = " ".join(sorted(left.split()))
    sorted_right = " ".join(sorted(right.split()))
    return max(in_order, SequenceMatcher(None, sorted_left, sorted_right).ratio())
