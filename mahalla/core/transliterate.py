"""Uzbek Latin -> Uzbek Cyrillic and Uzbek Latin -> Russian transliteration of names.

The Uzbek rules follow the 1995 Latin alphabet and its Cyrillic counterpart (the table of the Law "On the
introduction of the Uzbek alphabet based on Latin script", 2 May 1995, as amended): o' -> ў, g' -> ғ, sh -> ш,
ch -> ч, ng stays н+г, x -> х, q -> қ, h -> ҳ, yo/yu/ya/ye -> ё/ю/я/е, e -> э at the start of a word or after
a vowel, the tutuq belgisi (') -> ъ. The Russian form is the usual practical transcription used in Russian
texts (o' -> у, g' -> г, q -> к, h -> х, j -> дж), good enough for synthetic names; it is not an official
standard.
"""

from __future__ import annotations

import re

# Every apostrophe-like character seen in Uzbek Latin text (ASCII, modifier letters, quotes) means the same.
_APOSTROPHES = "'\u02bb\u02bc\u2018\u2019`"
_APOSTROPHE_RE = re.compile(f"[{_APOSTROPHES}]")

_VOWELS_LATIN = set("aeiouAEIOU")

# Digraphs first (longest match wins); "o'" and "g'" use the normalised ASCII apostrophe.
_UZ_CYRILLIC_DIGRAPHS = {
    "o'": "ў",
    "g'": "ғ",
    "sh": "ш",
    "ch": "ч",
    "yo": "ё",
    "yu": "ю",
    "ya": "я",
    "ye": "е",
}
_UZ_CYRILLIC_LETTERS = {
    "a": "а",
    "b": "б",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "h": "ҳ",
    "i": "и",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "t": "т",
    "u": "у",
    "v": "в",
    "x": "х",
    "y": "й",
    "z": "з",
    "c": "с",
    "w": "в",
    "'": "ъ",
}

_RU_DIGRAPHS = {
    "o'": "у",
    "g'": "г",
    "sh": "ш",
    "ch": "ч",
    "yo": "ё",
    "yu": "ю",
    "ya": "я",
    "ye": "е",
}
_RU_LETTERS = {
    **_UZ_CYRILLIC_LETTERS,
    "h": "х",
    "q": "к",
    "j": "дж",
    "'": "",
}


def normalise_apostrophes(text: str) -> str:
    """Replace the many apostrophe look-alikes of Uzbek Latin text by the ASCII apostrophe."""
    return _APOSTROPHE_RE.sub("'", text)


def _match_case(source: str, target: str) -> str:
    """Capitalise `target` like `source` ("Sh" -> "Ш", "SH" -> "Ш", "sh" -> "ш")."""
    if not target:
        return target
    if source[0].isupper():
        return target[0].upper() + target[1:]
    return target


def _transliterate(text: str, digraphs: dict[str, str], letters: dict[str, str], e_initial: str) -> str:
    text = normalise_apostrophes(text)
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        lower = char.lower()
        previous = text[i - 1] if i > 0 else ""
        word_start = i == 0 or not previous.isalpha() and previous != "'"
        pair = text[i : i + 2].lower()
        # "s'h" and "s'" etc.: the apostrophe after s/c separates letters (Is'hoq -> Исҳоқ), it is not a sign.
        followed_by_apostrophe = i + 2 < n and text[i + 2] == "'"
        # "yo'l" is y + o' (Yangiyo'l -> Янгийўл), not yo + a tutuq belgisi.
        if pair in digraphs and not (pair in ("o'", "g'", "yo") and followed_by_apostrophe):
            out.append(_match_case(text[i], digraphs[pair]))
            i += 2
            continue
        if lower == "e" and (word_start or previous in _VOWELS_LATIN):
            out.append(_match_case(char, e_initial))
        elif lower == "'":
            # A tutuq belgisi between letters; a stray apostrophe at a word edge is dropped.
            inside_word = previous.isalpha() and i + 1 < n and text[i + 1].isalpha()
            if inside_word and previous.lower() in ("s", "c") and text[i + 1].lower() == "h":
                out.append("")
            else:
                out.append(letters["'"] if inside_word else "")
        elif lower in letters:
            out.append(_match_case(char, letters[lower]))
        else:
            out.append(char)
        i += 1
    return "".join(out)


def latin_to_cyrillic(text: str) -> str:
    """Transliterate Uzbek Latin to Uzbek Cyrillic.

    >>> latin_to_cyrillic("Bog'ishamol MFY")
    'Боғишамол МФЙ'
    >>> latin_to_cyrillic("Qo'rg'ontepa")
    'Қўрғонтепа'
    """
    return _transliterate(text, _UZ_CYRILLIC_DIGRAPHS, _UZ_CYRILLIC_LETTERS, "э")


def latin_to_russian(text: str) -> str:
    """Transcribe an Uzbek Latin name for a Russian text (Qo'qon -> Кукон, Bog'ishamol -> Богишамол)."""
    return _transliterate(text, _RU_DIGRAPHS, _RU_LETTERS, "э")
