"""Extraction on hand-written reports in Uzbek (both scripts), Russian and English."""

from __future__ import annotations

import pytest

from mahalla.cyber import indicators as ind

KEY = b"test-key"


def kinds(text: str) -> dict[str, list[ind.Found]]:
    found: dict[str, list[ind.Found]] = {}
    for item in ind.extract(text, card_key=KEY):
        found.setdefault(item.kind, []).append(item)
    return found


def values(text: str, kind: str) -> list[str]:
    return [f.value for f in kinds(text).get(kind, [])]


def test_uzbek_latin_report_yields_phone_card_and_lookalike_domain():
    text = (
        "Menga +998 90 123-45-67 raqamidan qo'ng'iroq qilishdi. "
        "Pulni 8600 1234 5678 9012 kartasiga o'tkazdim. "
        "Sayt: click-uz.top/login"
    )
    found = kinds(text)
    assert [f.value for f in found["phone"]] == ["+998901234567"]
    assert [f.display for f in found["card"]] == ["860012******9012"]
    assert found["card"][0].details["scheme"] == "UzCard"
    assert found["domain"][0].value == "click-uz.top"
    assert found["domain"][0].details["lookalike_of"] == "Click"
    assert found["url"][0].value == "click-uz.top/login"


def test_uzbek_cyrillic_report_with_local_phone_format_and_telegram_link():
    text = "Менга (93) 555-12-34 рақамидан ёзишди, t.me/uzum_bonus_uz каналига киринг дейишди."
    assert values(text, "phone") == ["+998935551234"]
    assert values(text, "handle") == ["@uzum_bonus_uz"]
    assert values(text, "domain") == []  # t.me itself is no indicator


def test_russian_report_with_defanged_link_and_apk():
    text = "Прислали ссылку hxxps://paynet-bonus[.]site/pay и файл Paynet_Bonus.apk, потом сняли деньги."
    found = kinds(text)
    assert found["domain"][0].value == "paynet-bonus.site"
    assert found["domain"][0].display == "paynet-bonus[.]site"
    assert found["domain"][0].details["lookalike_of"] == "Paynet"
    assert values(text, "apk") == ["paynet_bonus.apk"]


def test_english_report_with_wallets_whose_checksums_hold():
    text = (
        "They asked for USDT to TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t, then ETH to "
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed and BTC to bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 "
        "or 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa."
    )
    chains = sorted(f.details["chain"] for f in kinds(text)["wallet"])
    assert chains == ["bitcoin", "bitcoin", "ethereum", "tron"]


def test_wallets_with_a_broken_checksum_are_not_indicators():
    # One letter's case changed (EIP-55), one character changed (base58check, bech32).
    text = (
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u "
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb"
    )
    assert values(text, "wallet") == []


def test_sixteen_digits_passing_luhn_but_of_no_known_scheme_are_no_card():
    number = "1234567890123452"  # Luhn-valid, prefix 123456 in no BIN range
    assert ind.luhn_valid(number)
    assert values(f"Shartnoma raqami {number}", "card") == []
    # ...but it is still masked in stored text, like anything that could be a card.
    assert number not in ind.redact_cards(f"raqam {number}")


def test_digits_failing_luhn_are_neither_card_nor_masked():
    text = "Buyurtma 8600 1234 5678 9013"
    assert values(text, "card") == []
    assert ind.redact_cards(text) == text


def test_cyrillic_letter_inside_a_latin_domain_is_a_mixed_script_lookalike():
    text = "Havola: https://paymе-verify.site"  # the е is Cyrillic U+0435, as in the ScamGuard seed
    domain = kinds(text)["domain"][0]
    assert domain.value.startswith("xn--")
    assert domain.details["mixed_script"] is True
    assert domain.details["lookalike_of"] == "Payme"


def test_punycode_domain_is_decoded_and_checked():
    ascii_form = "xn--paym-verify-rkj.site"
    domain = kinds(f"sayt {ascii_form}")["domain"][0]
    assert domain.value == ascii_form
    assert domain.details["unicode"] == "paymе-verify.site"
    assert domain.details["mixed_script"] is True


def test_genuine_brand_domain_is_not_a_lookalike():
    domain = kinds("Rasmiy sayt kapitalbank.uz")["domain"][0]
    assert domain.details.get("genuine_brand") == "Kapitalbank"
    assert "lookalike_of" not in domain.details


def test_shipped_phishing_list_and_its_fuzzy_brands():
    assert kinds("myetherwallet.co")["domain"][0].details.get("phishing_list") is True
    assert kinds("go to rnetamask.io now")["domain"][0].details.get("lookalike_of")


def test_card_value_is_a_keyed_hash_never_the_number():
    card = kinds("8600 1234 5678 9012")["card"][0]
    assert "8600123456789012" not in card.value
    assert card.value == ind.card_hash("8600123456789012", KEY)
    assert card.value != ind.card_hash("8600123456789012", b"other-key")


def test_warning_list_values():
    assert ind.is_warning("domain", "t.me")
    assert ind.is_warning("phone", "+998781500000")
    assert not ind.is_warning("phone", "+998901234567")


def test_email_address_is_not_a_telegram_handle():
    assert values("yozing: someone@mail.ru", "handle") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+998 71 200-01-02", "+998712000102"),
        ("998901112233", "+998901112233"),
        ("90 111 22 33", "+998901112233"),
    ],
)
def test_phone_forms_normalise_to_e164(text, expected):
    assert values(f"raqam {text}", "phone") == [expected]
