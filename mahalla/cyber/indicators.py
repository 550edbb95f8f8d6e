"""Indicators in a report's text: phones, cards, URLs and domains, Telegram handles, crypto wallets, APKs.

Framework-free (no Django, no clock): the reference tables are read from files next to this module, the key
of the card hash is passed in by the caller. Every indicator has a ``kind``, a ``value`` (the normalised form
that joins reports: E.164 phone, lower-case IDNA domain, lower-case handle, the keyed hash of a card) and a
``display`` form safe to show and export (a card masked to its first 6 and last 4 digits, a URL defanged).

A card number is never kept in clear: :func:`redact_cards` replaces every Luhn-valid 13-19 digit run of a text
by its masked form before the text is stored, and the card indicator's value is an HMAC-SHA256 of the digits
under a key held only in the settings (so that equal cards match while the digits cannot be recovered by
hashing the 10^10 possible middles without the key).

Look-alike domains (the technique of homograph and typo-squatting attacks): a label that mixes Latin and
Cyrillic letters, a name whose confusable "skeleton" (Unicode TR 39 idea: Cyrillic а/е/о/р/с/у/х, digits 0/1
-> o/l) equals a protected brand's, a name within one edit of a brand's, or a brand's name with extras on
another domain (``payme-verify.site``). The MetaMask eth-phishing-detect list is checked for known phishing
domains and its own fuzzy list of crypto brands (Levenshtein tolerance 2, as the list itself declares).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import hmac
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


class Kind:
    PHONE = "phone"
    CARD = "card"
    URL = "url"
    DOMAIN = "domain"
    HANDLE = "handle"
    WALLET = "wallet"
    APK = "apk"

    ALL = ("phone", "card", "url", "domain", "handle", "wallet", "apk")


@dataclass(frozen=True)
class Found:
    kind: str
    value: str
    display: str
    details: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


# --- reference tables -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BinRange:
    prefix_from: int
    prefix_to: int
    scheme: str


@functools.cache
def shipped_bin_table() -> tuple[BinRange, ...]:
    with (REFERENCE_DIR / "bins.csv").open(encoding="utf-8") as handle:
        return tuple(
            BinRange(int(row["prefix_from"]), int(row["prefix_to"]), row["scheme"])
            for row in csv.DictReader(handle)
        )


@functools.cache
def shipped_protected_brands() -> tuple[tuple[str, str], ...]:
    with (REFERENCE_DIR / "protected_brands.csv").open(encoding="utf-8") as handle:
        return tuple((row["brand"], row["domain"].lower()) for row in csv.DictReader(handle))


@functools.cache
def shipped_warning_list() -> frozenset[tuple[str, str]]:
    with (REFERENCE_DIR / "warning_list.csv").open(encoding="utf-8") as handle:
        return frozenset((row["kind"], row["value"].lower()) for row in csv.DictReader(handle))


# Tables installed by the platform (the reference data as edited in the admin) in place of the shipped
# files; without them (the engine's own tests, the benchmarks) the shipped files are used.
_installed: dict[str, Any] = {}


def reference_install(
    *,
    bins: tuple[BinRange, ...],
    brands: tuple[tuple[str, str], ...],
    warnings: frozenset[tuple[str, str]],
) -> None:
    """Use these tables from now on in this process (a change of the brands forgets the cached domain
    assessments)."""
    if _installed.get("brands") != brands:
        _domain_assessment.cache_clear()
    _installed.update(bins=bins, brands=brands, warnings=warnings)


def reference_uninstall() -> None:
    """Back to the shipped files."""
    if "brands" in _installed:
        _domain_assessment.cache_clear()
    _installed.clear()


def bin_table() -> tuple[BinRange, ...]:
    return _installed["bins"] if "bins" in _installed else shipped_bin_table()


def protected_brands() -> tuple[tuple[str, str], ...]:
    """(brand, domain) pairs."""
    return _installed["brands"] if "brands" in _installed else shipped_protected_brands()


def warning_list() -> frozenset[tuple[str, str]]:
    """(kind, value) pairs of benign values that never link reports."""
    return _installed["warnings"] if "warnings" in _installed else shipped_warning_list()


@functools.cache
def phishing_config() -> dict[str, Any]:
    with (REFERENCE_DIR / "eth_phishing_detect_config.json").open(encoding="utf-8") as handle:
        config = json.load(handle)
    return {
        "blacklist": frozenset(d.lower() for d in config["blacklist"]),
        "whitelist": frozenset(d.lower() for d in config["whitelist"]),
        "fuzzylist": tuple(d.lower() for d in config["fuzzylist"]),
        "tolerance": int(config["tolerance"]),
    }


def is_warning(kind: str, value: str) -> bool:
    """Whether a value is on the warning list (a URL counts when its domain is)."""
    listed = warning_list()
    if (kind, value.lower()) in listed:
        return True
    if kind == Kind.URL:
        host = value.split("/", 1)[0]
        return (Kind.DOMAIN, host) in listed and "/" not in value.rstrip("/")
    return False


# --- defanging ------------------------------------------------------------------------------------------

_REFANG = [
    (re.compile(r"hxxp", re.IGNORECASE), "http"),
    (re.compile(r"\[\s*(?:\.|dot)\s*\]|\(\s*(?:\.|dot)\s*\)|\{\s*(?:\.|dot)\s*\}", re.IGNORECASE), "."),
    (re.compile(r"\[\s*:\s*\]"), ":"),
    (re.compile(r"\[\s*/\s*\]"), "/"),
    (re.compile(r"\s+\.\s+(?=[a-z]{2,}\b)", re.IGNORECASE), "."),
]


def refang(text: str) -> str:
    """Undo the usual defanging (hxxp, [.], (dot)) so that a defanged link is found like a live one."""
    for pattern, replacement in _REFANG:
        text = pattern.sub(replacement, text)
    return text


def defang(url: str) -> str:
    """A form that no viewer turns into a live link: hxxp and [.] before the last label."""
    url = re.sub(r"^http", "hxxp", url)
    return re.sub(r"\.(?=[^./]+(?:/|$))", "[.]", url, count=1)


# --- cards ----------------------------------------------------------------------------------------------

_CARD_RUN = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        number = int(char)
        if index % 2 == 1:
            number *= 2
            if number > 9:
                number -= 9
        total += number
    return total % 10 == 0


def card_scheme(digits: str) -> str | None:
    """The scheme whose BIN range holds the first six digits, or None (then it is no card we know of)."""
    prefix = int(digits[:6])
    for entry in bin_table():
        if entry.prefix_from <= prefix <= entry.prefix_to:
            return entry.scheme
    return None


def card_mask(digits: str) -> str:
    return f"{digits[:6]}{'*' * (len(digits) - 10)}{digits[-4:]}"


def card_hash(digits: str, key: bytes) -> str:
    if not key:
        raise ValueError("the card hash key is empty")
    return hmac.new(key, digits.encode("ascii"), hashlib.sha256).hexdigest()


def redact_cards(text: str) -> str:
    """The text with every Luhn-valid 13-19 digit run (a card number or anything that could be one) masked."""

    def replace(match: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", match.group(0))
        if 13 <= len(digits) <= 19 and luhn_valid(digits):
            return card_mask(digits)
        return match.group(0)

    return _CARD_RUN.sub(replace, text)


def _cards(text: str, key: bytes) -> list[Found]:
    found = []
    for match in _CARD_RUN.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if not (13 <= len(digits) <= 19 and luhn_valid(digits)):
            continue
        scheme = card_scheme(digits)
        if scheme is None:  # passes Luhn by chance (one number in ten does) but no card of a known scheme
            continue
        found.append(Found(Kind.CARD, card_hash(digits, key), card_mask(digits), {"scheme": scheme}))
    return found


# --- phones ---------------------------------------------------------------------------------------------


def _phones(text: str) -> list[Found]:
    # Loaded here, not with the module: the admin imports this module when every process starts, and
    # phonenumbers' metadata is a large import that only the extraction of indicators needs.
    import phonenumbers

    found = []
    for match in phonenumbers.PhoneNumberMatcher(text, "UZ", leniency=phonenumbers.Leniency.VALID):
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        region = phonenumbers.region_code_for_number(match.number) or ""
        found.append(Found(Kind.PHONE, e164, e164, {"region": region}))
    return found


# --- Telegram -------------------------------------------------------------------------------------------

_TME = re.compile(
    r"(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(\+[\w-]{8,}|joinchat/[\w-]{8,}|[A-Za-z][A-Za-z0-9_]{3,31})",
    re.IGNORECASE,
)
_TG_RESOLVE = re.compile(r"tg://resolve\?domain=([A-Za-z][A-Za-z0-9_]{3,31})", re.IGNORECASE)
_AT_HANDLE = re.compile(r"(?<![\w.@])@([A-Za-z][A-Za-z0-9_]{3,31})\b")


def _handles(text: str) -> list[Found]:
    found = []
    for match in _TME.finditer(text):
        name = match.group(1)
        if name.startswith("+") or name.lower().startswith("joinchat/"):
            value = f"t.me/{name}"  # invite links are case-sensitive
            found.append(Found(Kind.HANDLE, value, value, {"invite": True}))
        else:
            found.append(Found(Kind.HANDLE, f"@{name.lower()}", f"@{name}", {}))
    for pattern in (_TG_RESOLVE, _AT_HANDLE):
        for match in pattern.finditer(text):
            found.append(Found(Kind.HANDLE, f"@{match.group(1).lower()}", f"@{match.group(1)}", {}))
    return found


# --- crypto wallets -------------------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58_decode(text: str) -> bytes | None:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            return None
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    pad = len(text) - len(text.lstrip("1"))
    return b"\x00" * pad + body


def base58check_payload(text: str) -> bytes | None:
    raw = _base58_decode(text)
    if raw is None or len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _bech32_polymod(values: Iterable[int]) -> int:
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            checksum ^= generator[i] if ((top >> i) & 1) else 0
    return checksum


def bech32_valid(address: str) -> bool:
    """BIP 173 (bech32, constant 1) or BIP 350 (bech32m, constant 0x2bc830a3) checksum."""
    address = address.lower()
    hrp, _, data = address.rpartition("1")
    if not hrp or len(data) < 6 or any(c not in _BECH32 for c in data):
        return False
    values = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + [_BECH32.find(c) for c in data]
    return _bech32_polymod(values) in (1, 0x2BC830A3)


# Keccak-256 (the pre-standard SHA-3 Ethereum uses; hashlib.sha3_256 pads differently), for EIP-55.
_KECCAK_RC = [
    0x0000000000000001,
    0x0000000000008082,
    0x800000000000808A,
    0x8000000080008000,
    0x000000000000808B,
    0x0000000080000001,
    0x8000000080008081,
    0x8000000000008009,
    0x000000000000008A,
    0x0000000000000088,
    0x0000000080008009,
    0x000000008000000A,
    0x000000008000808B,
    0x800000000000008B,
    0x8000000000008089,
    0x8000000000008003,
    0x8000000000008002,
    0x8000000000000080,
    0x000000000000800A,
    0x800000008000000A,
    0x8000000080008081,
    0x8000000000008080,
    0x0000000080000001,
    0x8000000080008008,
]
_KECCAK_ROT = [
    [0, 36, 3, 41, 18],
    [1, 44, 10, 45, 2],
    [62, 6, 43, 15, 61],
    [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]
_MASK = (1 << 64) - 1


def _rol(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def _keccak_f(state: list[list[int]]) -> None:
    for rc in _KECCAK_RC:
        c = [state[x][0] ^ state[x][1] ^ state[x][2] ^ state[x][3] ^ state[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rol(c[(x + 1) % 5], 1) for x in range(5)]
        for x in range(5):
            for y in range(5):
                state[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rol(state[x][y], _KECCAK_ROT[x][y])
        for x in range(5):
            for y in range(5):
                state[x][y] = b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y])
        state[0][0] ^= rc


def keccak256(data: bytes) -> bytes:
    rate = 136
    padded = bytearray(data) + b"\x01" + b"\x00" * ((rate - (len(data) + 1) % rate) % rate)
    padded[-1] |= 0x80
    state = [[0] * 5 for _ in range(5)]
    for offset in range(0, len(padded), rate):
        block = padded[offset : offset + rate]
        for i in range(rate // 8):
            state[i % 5][i // 5] ^= int.from_bytes(block[8 * i : 8 * i + 8], "little")
        _keccak_f(state)
    out = b"".join(state[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


def eip55_valid(address: str) -> bool:
    """0x + 40 hex digits; mixed case must follow the EIP-55 checksum, one case carries none (accepted)."""
    body = address[2:]
    if body == body.lower() or body == body.upper():
        return True
    digest = keccak256(body.lower().encode("ascii")).hex()
    for char, nibble in zip(body, digest[:40], strict=True):
        if char.isalpha() and (char.isupper() != (int(nibble, 16) >= 8)):
            return False
    return True


_ETH = re.compile(r"\b0x[0-9a-fA-F]{40}\b")
_BTC_BASE58 = re.compile(r"\b[13][1-9A-HJ-NP-Za-km-z]{25,34}\b")
_BTC_BECH32 = re.compile(r"\bbc1[ac-hj-np-z02-9]{11,71}\b", re.IGNORECASE)
_TRON = re.compile(r"\bT[1-9A-HJ-NP-Za-km-z]{33}\b")


def _wallets(text: str) -> list[Found]:
    found = []
    for match in _ETH.finditer(text):
        if eip55_valid(match.group(0)):
            found.append(Found(Kind.WALLET, match.group(0).lower(), match.group(0), {"chain": "ethereum"}))
    for match in _BTC_BASE58.finditer(text):
        payload = base58check_payload(match.group(0))
        if payload is not None and len(payload) == 21 and payload[0] in (0x00, 0x05):
            found.append(Found(Kind.WALLET, match.group(0), match.group(0), {"chain": "bitcoin"}))
    for match in _BTC_BECH32.finditer(text):
        if bech32_valid(match.group(0)):
            found.append(Found(Kind.WALLET, match.group(0).lower(), match.group(0), {"chain": "bitcoin"}))
    for match in _TRON.finditer(text):
        payload = base58check_payload(match.group(0))
        if payload is not None and len(payload) == 21 and payload[0] == 0x41:
            found.append(Found(Kind.WALLET, match.group(0), match.group(0), {"chain": "tron"}))
    return found


# --- APK ------------------------------------------------------------------------------------------------

_APK = re.compile(r"(?<![\w/.-])([\w\u0400-\u04ff][\w\u0400-\u04ff.()-]{0,80}\.apk)\b", re.IGNORECASE)


def _apks(text: str) -> list[Found]:
    return [Found(Kind.APK, m.group(1).lower(), m.group(1), {}) for m in _APK.finditer(text)]


# --- URLs and domains -----------------------------------------------------------------------------------

_TLDS = (
    "uz|ru|com|net|org|info|biz|xyz|site|online|top|me|io|app|club|shop|store|live|co|tk|ml|ga|cf|gq|pw|cc|su|"
    "pro|link|click|icu|vip|fun|website|space|tech|kz|tj|kg|tv|gifts|trade|cloud|digital|life|world|today|"
    "win|bid|loan|work|support|help|services|finance|money|bank|pay|cash|ltd|one|sbs|cfd|bond|rest|buzz|"
    "mobi|asia|eu|us|uk|de|in|cn|am|az|ge|by|ua|network|exchange|market|codes|nfts|host|fi|gg|ai"
)
_LABEL = r"(?:[a-z0-9\u0400-\u04ff](?:[a-z0-9\u0400-\u04ff-]{0,61}[a-z0-9\u0400-\u04ff])?)"
_HOST = rf"(?:{_LABEL}\.)+(?:{_TLDS}|xn--[a-z0-9-]+)"
_URL = re.compile(
    rf"(?:(?:https?://)(?P<h1>[^\s/?#\"'<>«»]+)|(?<![\w@.-])(?P<h2>{_HOST}))(?P<path>/[^\s\"'<>«»]*)?(?![\w-])",
    re.IGNORECASE,
)

_CONFUSABLE = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ӏ": "l",
        "һ": "h",
        "ԛ": "q",
        "ԝ": "w",
        "к": "k",
        "м": "m",
        "т": "t",
        "в": "b",
        "н": "h",
        "0": "o",
        "1": "l",
        "3": "e",
        "5": "s",
    }
)


def skeleton(label: str) -> str:
    """The confusable skeleton: Cyrillic homoglyphs and look-alike digits to Latin, "rn" to "m"."""
    return label.lower().translate(_CONFUSABLE).replace("rn", "m").replace("vv", "w")


def levenshtein(a: str, b: str, limit: int = 3) -> int:
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:  # no cell of a row ever decreases again: the distance is over the limit
            return limit + 1
        previous = current
    return previous[-1]


def _scripts(label: str) -> set[str]:
    scripts = set()
    for char in label:
        if char.isalpha():
            scripts.add(
                "cyrillic" if "\u0400" <= char <= "\u04ff" else "latin" if char.isascii() else "other"
            )
    return scripts


def _unicode_host(host: str) -> tuple[str, str] | None:
    """(unicode form, IDNA ASCII form) of a host, or None when it is no valid name."""
    host = host.strip(".").lower()
    host = host.split("@")[-1].split(":")[0]
    try:
        labels = [
            label.encode("ascii").decode("idna") if label.startswith("xn--") else label
            for label in host.split(".")
        ]
        unicode_host = ".".join(labels)
        ascii_host = ".".join(
            label if label.isascii() else "xn--" + label.encode("punycode").decode("ascii")
            for label in labels
        )
    except (UnicodeError, ValueError):
        return None
    if "." not in unicode_host or not all(labels):
        return None
    return unicode_host, ascii_host


def _registrable(host: str) -> str:
    labels = host.split(".")
    # Two-label public suffixes common in the region (co.uz, com.ru, ...) keep three labels.
    if len(labels) >= 3 and labels[-2] in ("co", "com", "org", "net", "gov") and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def domain_assessment(unicode_host: str) -> dict[str, Any]:
    return dict(_domain_assessment(unicode_host))


@functools.lru_cache(maxsize=100_000)
def _domain_assessment(unicode_host: str) -> dict[str, Any]:
    """What is suspicious about a host: mixed script, look-alike of a protected brand, phishing-list entry."""
    details: dict[str, Any] = {}
    labels = unicode_host.split(".")
    if any(len(_scripts(label) - {"other"}) > 1 for label in labels):
        details["mixed_script"] = True
    if any(not label.isascii() for label in labels):
        details["non_ascii"] = True
    registrable = _registrable(unicode_host)
    for brand, brand_domain in protected_brands():
        if unicode_host == brand_domain or unicode_host.endswith("." + brand_domain):
            details["genuine_brand"] = brand
            break
    else:
        brand_hit = _brand_lookalike(unicode_host, registrable)
        if brand_hit:
            details["lookalike_of"] = brand_hit
    config = phishing_config()
    parents = {".".join(labels[i:]) for i in range(len(labels) - 1)}
    ascii_parents = set()
    for parent in parents:
        converted = _unicode_host(parent)
        if converted:
            ascii_parents.add(converted[1])
    if (parents | ascii_parents) & config["blacklist"]:
        details["phishing_list"] = True
    elif not ((parents | ascii_parents) & config["whitelist"]) and "genuine_brand" not in details:
        name = registrable.split(".")[0]
        for fuzzy in config["fuzzylist"]:
            fuzzy_name = fuzzy.split(".")[0]
            if registrable != fuzzy and len(fuzzy_name) >= 5:
                if levenshtein(skeleton(name), fuzzy_name, config["tolerance"]) <= config["tolerance"]:
                    details["lookalike_of"] = details.get("lookalike_of") or fuzzy
                    details["phishing_fuzzy"] = fuzzy
                    break
    return details


def _brand_lookalike(host: str, registrable: str) -> str | None:
    name = registrable.split(".")[0]
    name_skeleton = skeleton(name)
    for brand, brand_domain in protected_brands():
        brand_name = brand_domain.split(".")[0]
        if len(brand_name) < 4:
            # Short names (xb, sqb, nbu) match too much text: only an exact skeleton on another domain counts.
            if name_skeleton == brand_name and registrable != brand_domain:
                return brand
            continue
        if name_skeleton == brand_name:
            return brand
        if levenshtein(name_skeleton, brand_name, 1) <= 1 and len(brand_name) >= 5:
            return brand
        parts = re.split(r"[-_]", name_skeleton)
        if brand_name in parts or (len(brand_name) >= 5 and brand_name in name_skeleton):
            return brand
        # The brand as a subdomain of someone else's domain: payme.uz.verify-card.site
        if f".{brand_name}." in f".{skeleton(host)}." and registrable != brand_domain:
            return brand
    return None


def _urls(text: str) -> list[Found]:
    found: list[Found] = []
    for match in _URL.finditer(text):
        raw_host = match.group("h1") or match.group("h2") or ""
        hosts = _unicode_host(raw_host)
        if hosts is None:
            continue
        unicode_host, ascii_host = hosts
        if unicode_host in ("t.me", "telegram.me") and match.group("path"):
            continue  # a Telegram link: the handle is the indicator (the bare domain is on the warning list)
        if unicode_host.endswith(".apk"):
            continue
        details = domain_assessment(unicode_host)
        details["unicode"] = unicode_host
        found.append(Found(Kind.DOMAIN, ascii_host, defang(unicode_host), details))
        path = (match.group("path") or "").rstrip(".,;:!?)")
        if path and path != "/":
            value = f"{ascii_host}{path}"
            found.append(Found(Kind.URL, value, defang(f"{unicode_host}{path}"), dict(details)))
    return found


# A card as redact_cards leaves it (first 6, stars, last 4): blanked like a clear card before the other
# extractors read a stored text, so that a stored (redacted) text yields what the clear one did.
_MASKED_CARD = re.compile(r"(?<![\d])\d{6}\*{3,9}\d{4}(?![\d])")


def _prepared(text: str) -> str:
    return refang(unicodedata.normalize("NFC", text or ""))


def extract_cards(text: str, *, card_key: bytes) -> list[Found]:
    """The card indicators of a clear text (masked form and keyed hash): the one extraction that must run
    before the text is redacted and stored; the rest (extract_other) can run later on the stored text."""
    return _unique(_cards(_prepared(text), card_key))


def extract_other(text: str) -> list[Found]:
    """Every indicator but cards, from a clear or a redacted text (card runs, clear or masked, are blanked
    first so that their digits are never read as a phone number)."""
    blanked = _CARD_RUN.sub(lambda m: " " * len(m.group(0)), _prepared(text))
    blanked = _MASKED_CARD.sub(lambda m: " " * len(m.group(0)), blanked)
    found = _wallets(blanked)
    found += _phones(blanked)
    found += _handles(blanked)
    found += _apks(blanked)
    found += _urls(blanked)
    return _unique(found)


def _unique(found: list[Found]) -> list[Found]:
    seen: set[tuple[str, str]] = set()
    unique = []
    for item in found:
        key = (item.kind, item.value)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique


def extract(text: str, *, card_key: bytes) -> list[Found]:
    """Every indicator in ``text``, each (kind, value) once, in order of first appearance (cards first)."""
    return _unique(extract_cards(text, card_key=card_key) + extract_other(text))
