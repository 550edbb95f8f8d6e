"""The duplicate detector: a person entered twice (another script, a mistyped PINFL digit or two swapped
neighbouring digits) is one candidate; two people with the same name and unrelated PINFLs, or one PINFL digit
apart with different given names, are not."""

from __future__ import annotations

import datetime as dt

from mahalla.core.transliterate import latin_to_cyrillic, latin_to_russian

from ..names import name_skeleton
from ..selectors import duplicate_candidates, duplicate_pairs, names_agree
from .factories import person_make

BIRTH = dt.date(1990, 5, 1)


def row(pk: int, pinfl: str, name: str, birth: dt.date = BIRTH, sex: str = "F"):
    return (pk, pinfl, name_skeleton(name), birth, sex)


def test_a_cross_script_entry_with_a_mistyped_pinfl_digit_is_a_candidate():
    pairs = duplicate_pairs(
        [
            row(1, "42505900123456", "Karimova Malika"),
            row(2, "42505900123406", "Каримова Малика"),
            row(3, "42505900723456", latin_to_russian("Karimova Malika")),
        ]
    )
    assert {(p.left_id, p.right_id) for p in pairs} == {(1, 2), (1, 3)}
    assert all(p.score == 1.0 for p in pairs)


def test_two_swapped_neighbouring_pinfl_digits_are_a_candidate_a_distant_swap_is_not():
    pairs = duplicate_pairs(
        [
            row(1, "42505900123456", "Karimova Malika"),
            row(2, "42505900132456", "Каримова Малика"),  # 2 and 3 swapped: a typing slip
            row(3, "42505900523416", latin_to_russian("Karimova Malika")),  # 1 and 5 swapped, far apart
        ]
    )
    assert {(p.left_id, p.right_id) for p in pairs} == {(1, 2)}


def test_the_same_name_and_birth_date_with_unrelated_pinfls_are_two_people():
    assert (
        duplicate_pairs(
            [row(1, "42505900123456", "Karimova Malika"), row(2, "42505900987654", "Каримова Малика")]
        )
        == []
    )


def test_a_pinfl_one_digit_apart_with_another_given_name_is_two_people():
    assert (
        duplicate_pairs(
            [
                row(1, "32505900123456", "Karimov Aziz", sex="M"),
                row(2, "32505900123457", "Karimov Anvar", sex="M"),
            ]
        )
        == []
    )


def test_names_agree_part_by_part_in_either_order_and_with_the_patronymic():
    assert names_agree(name_skeleton("Qodirov O'ktam"), name_skeleton(latin_to_cyrillic("Qodirov O'ktam")))
    assert names_agree(name_skeleton("Karimova Malika"), name_skeleton("Malika Karimova"))
    assert names_agree(name_skeleton("Karimova Malika"), name_skeleton("Karimova Malikka"))
    assert not names_agree(name_skeleton("Karimova Malika"), name_skeleton("Karimova Dilnoza"))
    assert not names_agree(
        name_skeleton("Karimov Aziz Botirovich"), name_skeleton("Karimov Aziz Sherzodovich")
    )


def test_the_candidates_are_read_from_the_persons_the_system_sees(place):
    first = person_make(place.home, "Karimova Malika", pinfl="42505900123456")
    twin = person_make(place.home, "Каримова Малика", pinfl="42505900123457")
    person_make(place.home, "Karimova Malika", pinfl="42505900987654")  # a namesake, an unrelated PINFL
    pairs = duplicate_candidates(actor=None)
    assert [(p.left_id, p.right_id) for p in pairs] == [(first.pk, twin.pk)]
