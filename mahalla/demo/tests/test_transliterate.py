import json

import pytest

from mahalla.demo.generator.transliterate import latin_to_cyrillic, latin_to_russian, normalise_apostrophes
from mahalla.territory.reference_data import REFERENCE_DIR


def test_reproduces_the_official_cyrillic_names_of_all_regions_and_districts():
    # The SOATO reference list carries each name in both scripts, written independently of this code.
    rows = json.loads((REFERENCE_DIR / "districts.json").read_text(encoding="utf-8"))
    rows += json.loads((REFERENCE_DIR / "regions.json").read_text(encoding="utf-8"))
    mismatches = [(r["name_uz"], r["name_oz"], latin_to_cyrillic(r["name_uz"])) for r in rows]
    mismatches = [m for m in mismatches if m[1] != m[2]]
    assert len(rows) == 223
    assert mismatches == []


@pytest.mark.parametrize(
    ("latin", "cyrillic"),
    [
        ("Bog'ishamol", "Боғишамол"),  # g' -> ғ, sh -> ш
        ("Do'stlik", "Дўстлик"),  # o' -> ў
        ("Chilonzor", "Чилонзор"),  # ch -> ч
        ("Mingchinor", "Мингчинор"),  # ng stays н + г
        ("Xo'jaobod", "Хўжаобод"),  # x -> х, j -> ж
        ("Qo'qon", "Қўқон"),  # q -> қ
        ("Navbahor", "Навбаҳор"),  # h -> ҳ
        ("Yoshlik", "Ёшлик"),  # yo at word start -> ё
        ("Yunusobod", "Юнусобод"),  # yu -> ю
        ("Yangiobod", "Янгиобод"),  # ya -> я
        ("Yangiyo'l", "Янгийўл"),  # y + o', not yo + apostrophe
        ("Ergash", "Эргаш"),  # e at word start -> э
        ("Ma'rifat", "Маърифат"),  # tutuq belgisi -> ъ
        ("Is'hoq", "Исҳоқ"),  # s'h separates s and h
        ("SHAHAR", "ШАҲАР"),
    ],
)
def test_latin_letters_map_to_their_cyrillic_counterparts(latin, cyrillic):
    assert latin_to_cyrillic(latin) == cyrillic


def test_every_apostrophe_variant_means_the_same_letter():
    variants = ["Bog'ishamol", "Bogʻishamol", "Bog’ishamol", "Bog‘ishamol", "Bogʼishamol", "Bog`ishamol"]
    assert {latin_to_cyrillic(v) for v in variants} == {"Боғишамол"}
    assert {normalise_apostrophes(v) for v in variants} == {"Bog'ishamol"}


def test_russian_forms_use_russian_letters_only():
    assert latin_to_russian("Qo'rg'ontepa") == "Кургонтепа"
    assert latin_to_russian("Navbahor") == "Навбахор"
    assert latin_to_russian("Ma'rifat") == "Марифат"
    assert not set("ўқғҳ") & set(latin_to_russian("Bog'ishamol Qo'shariq Xo'jaobod Sohibkor"))
