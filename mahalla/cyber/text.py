"""Text normalisation shared by classification and text linking: one script, one apostrophe, no digits.

Uzbek is written in Latin and in Cyrillic; Russian in Cyrillic. The classifier and the text linker see every
text in Latin letters so that "kartangiz" and "картангиз" are one word. The Uzbek Cyrillic -> Latin table
follows the 1995 alphabet (ў -> o', ғ -> g', ш -> sh, ч -> ch, қ -> q, ҳ -> h, ё/ю/я -> yo/yu/ya, ц -> ts);
Russian letters absent from Uzbek get the usual practical transcription (ы -> y, щ -> shch). Because the
table is applied to Russian texts too, a Russian word also maps to one Latin form, which is all the models
need. Pure Python: no Django, no I/O.
"""

from __future__ import annotations

import re
import unicodedata

_CYRILLIC_TO_LATIN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "x",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "'",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "ў": "o'",
    "қ": "q",
    "ғ": "g'",
    "ҳ": "h",
}
_APOSTROPHE_LIKE = "\u02bb\u02bc\u2018\u2019`"
_APOSTROPHES = re.compile(f"[{_APOSTROPHE_LIKE}]")
# One table for the script and the apostrophes: a single C-level pass over the text.
_TABLE = str.maketrans({**_CYRILLIC_TO_LATIN, **dict.fromkeys(_APOSTROPHE_LIKE, "'")})
_UZBEK_CYRILLIC_LETTERS = set("ўқғҳЎҚҒҲ")
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def to_latin(text: str) -> str:
    """Lower-cased text in Latin letters, with every apostrophe-like character as ASCII "'"."""
    return unicodedata.normalize("NFC", text).lower().translate(_TABLE)


def script_of(text: str) -> str:
    """ "uz-cyrl" for letters only Uzbek Cyrillic uses, "cyrl" for other Cyrillic, else "latn"."""
    if any(ch in _UZBEK_CYRILLIC_LETTERS for ch in text):
        return "uz-cyrl"
    if any("\u0400" <= ch <= "\u04ff" for ch in text):
        return "cyrl"
    return "latn"


def normalise_for_similarity(text: str) -> str:
    """Latin, lower case, every number as "0", single spaces: two copies of one template with different sums
    or names of days become nearly the same string."""
    return _SPACES.sub(" ", _DIGITS.sub("0", to_latin(text))).strip()


_LATIN_DIGRAPHS = {"o'": "ў", "g'": "ғ", "sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я", "ye": "е"}
_LATIN_LETTERS = dict(zip("abdefghijklmnopqrstuvxyz'", "абдефгҳижклмнопқрстувхйзъ", strict=True))
_LATIN_TOKEN = re.compile(r"o'|g'|sh|ch|yo|yu|ya|ye|[a-z']", re.IGNORECASE)


def latin_to_cyrillic(text: str) -> str:
    """Uzbek Latin to Uzbek Cyrillic (the 1995 alphabet's table): o' -> ў, g' -> ғ, sh -> ш, ch -> ч,
    yo/yu/ya/ye -> ё/ю/я/е, h -> ҳ, q -> қ, x -> х, e -> э at the start of a word, ' -> ъ."""
    text = _APOSTROPHES.sub("'", text)

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        lower = token.lower()
        if lower == "e" and (match.start() == 0 or not text[match.start() - 1].isalpha()):
            out = "э"
        else:
            out = _LATIN_DIGRAPHS.get(lower) or _LATIN_LETTERS.get(lower, token)
        return out.upper() if token[0].isupper() and out != "ъ" else out

    return _LATIN_TOKEN.sub(replace, text)


_SKIPPED_ELEMENTS = re.compile(r"(<(textarea|script|style|code)\b.*?</\2>)", re.IGNORECASE | re.DOTALL)
_TEXT_NODES = re.compile(r">([^<]+)<")


def html_to_cyrillic(html: str) -> str:
    """Uzbek Cyrillic for the text of a page rendered in Uzbek Latin: only text between tags changes
    (never attributes, form values, a textarea's content, scripts or code)."""
    parts = _SKIPPED_ELEMENTS.split(html)
    out = []
    index = 0
    while index < len(parts):
        out.append(_TEXT_NODES.sub(lambda m: ">" + latin_to_cyrillic(m.group(1)) + "<", parts[index]))
        if index + 1 < len(parts):
            out.append(parts[index + 1])
        index += 3
    return "".join(out)
