"""Script conversion for classification (to Latin) and for the public pages (to Uzbek Cyrillic)."""

from mahalla.cyber.text import (
    html_to_cyrillic,
    latin_to_cyrillic,
    normalise_for_similarity,
    script_of,
    to_latin,
)


def test_uzbek_cyrillic_and_latin_meet_in_one_form():
    assert to_latin("Картангиз блокланди, кодни айтинг") == "kartangiz bloklandi, kodni ayting"
    assert to_latin("Қўнғироқ") == "qo'ng'iroq"
    assert to_latin("Qo\u02bbng\u02bbiroq") == "qo'ng'iroq"


def test_latin_to_cyrillic_follows_the_1995_table():
    assert latin_to_cyrillic("O'zbekiston") == "Ўзбекистон"
    assert latin_to_cyrillic("shahar choyxona") == "шаҳар чойхона"
    assert latin_to_cyrillic("ekran va telefon") == "экран ва телефон"
    assert latin_to_cyrillic("g'alaba yordam") == "ғалаба ёрдам"


def test_only_text_between_tags_is_converted():
    html = '<label for="id_x">Yordam</label><input value="Salom"><textarea>Salom</textarea>'
    assert (
        html_to_cyrillic(html)
        == '<label for="id_x">Ёрдам</label><input value="Salom"><textarea>Salom</textarea>'
    )


def test_scripts_are_told_apart_and_numbers_fold():
    assert script_of("Қарз") == "uz-cyrl" and script_of("Кредит") == "cyrl" and script_of("Kredit") == "latn"
    assert normalise_for_similarity("Siz 1 000 000 so'm  yutdingiz") == "siz 0 0 0 so'm yutdingiz"
