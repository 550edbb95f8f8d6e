"""Plausible Uzbek names for synthetic mahallas and people.

The word lists are common Uzbek place-name elements and given names and surnames (public, everyday words);
combinations are drawn with the caller's numpy Generator so the same seed gives the same names.
"""

from __future__ import annotations

import numpy as np

from .transliterate import latin_to_cyrillic, latin_to_russian

# Frequent mahalla names across the country (virtues, plants, places, independence-era words).
MAHALLA_ROOTS: tuple[str, ...] = (
    "Navbahor",
    "Do'stlik",
    "Yangiobod",
    "Guliston",
    "Bog'ishamol",
    "Mustaqillik",
    "Tinchlik",
    "Obod",
    "Nurafshon",
    "Olmazor",
    "Chinor",
    "Bo'ston",
    "Yangi hayot",
    "Istiqlol",
    "Mehribon",
    "Qoraqamish",
    "Beshyog'och",
    "Chilonzor",
    "Oqtepa",
    "Yoshlik",
    "Bunyodkor",
    "Ittifoq",
    "Birlik",
    "Mehnatobod",
    "Gulbahor",
    "Sohibkor",
    "Nurobod",
    "Oltinsoy",
    "Bahor",
    "Ko'kterak",
    "Qo'rg'oncha",
    "Xo'jaobod",
    "Navro'z",
    "Ziyokor",
    "Ma'rifat",
    "Tong",
    "Shodlik",
    "Baraka",
    "Bog'bon",
    "Yangi qishloq",
    "Mingchinor",
    "Qizilravot",
    "Sarbon",
    "Buloqboshi",
    "Kamolot",
    "Farovon",
    "Hamkor",
    "Oqsaroy",
    "Sharq",
    "G'alaba",
    "Paxtakor",
    "Zarafshon",
    "Bo'rijar",
    "Arnasoy",
    "Ipakyo'li",
    "Qorasuv",
    "Saodat",
    "Mevazor",
    "Uzumzor",
    "Anorzor",
    "Lolazor",
    "Orzu",
    "Umid",
    "Ezgulik",
    "Nihol",
    "Mirishkor",
    "Kosonsoy",
    "Yakkatut",
    "Qo'shariq",
    "Yangiariq",
    "Uchqo'rg'on",
    "Tepaqo'rg'on",
    "Qumariq",
    "Sayhon",
    "Chorbog'",
    "Ko'hna shahar",
    "Sobir Rahimov",
    "Alisher Navoiy",
    "Bobur",
    "Amir Temur",
    "Ulug'bek",
    "Furqat",
    "Muqimiy",
    "Ibn Sino",
    "Beruniy",
    "Al-Xorazmiy",
    "Imom Buxoriy",
)
# Qualifiers that make a second mahalla of the same name in a district distinct, as real ones do.
MAHALLA_QUALIFIERS: tuple[str, ...] = (
    "Yangi",
    "Katta",
    "Kichik",
    "Yuqori",
    "Quyi",
    "Markaziy",
    "Sharqiy",
    "G'arbiy",
)

MALE_GIVEN: tuple[str, ...] = (
    "Aziz",
    "Bahodir",
    "Jasur",
    "Sardor",
    "Otabek",
    "Shuhrat",
    "Dilshod",
    "Rustam",
    "Farrux",
    "Ulug'bek",
    "Sherzod",
    "Javlon",
    "Bekzod",
    "Anvar",
    "Akmal",
    "Botir",
    "Nodir",
    "Alisher",
    "Jahongir",
    "Sanjar",
    "Ravshan",
    "Oybek",
    "Umid",
    "Zafar",
    "Islom",
    "Temur",
    "Shavkat",
    "Mansur",
    "Ilhom",
    "Eldor",
)
FEMALE_GIVEN: tuple[str, ...] = (
    "Dilnoza",
    "Gulnora",
    "Malika",
    "Nodira",
    "Zarina",
    "Shahnoza",
    "Mohira",
    "Feruza",
    "Nilufar",
    "Madina",
    "Sevara",
    "Dilfuza",
    "Gulchehra",
    "Barno",
    "Munisa",
    "Zulfiya",
    "Kamola",
    "Iroda",
    "Lola",
    "Umida",
)
# Surnames in their masculine form; the feminine adds "a" (Karimov -> Karimova).
SURNAMES: tuple[str, ...] = (
    "Karimov",
    "Rahimov",
    "Yusupov",
    "Tursunov",
    "Abdullayev",
    "Nazarov",
    "Qodirov",
    "Ismoilov",
    "Aliyev",
    "Hasanov",
    "Xolmatov",
    "Ergashev",
    "Mirzayev",
    "Sobirov",
    "Jo'rayev",
    "Normatov",
    "Rasulov",
    "Sharipov",
    "Umarov",
    "Toshpo'latov",
    "Xudoyberdiyev",
    "Boboyev",
    "Sodiqov",
    "Mahmudov",
    "Qurbonov",
    "Egamberdiyev",
    "Islomov",
    "Usmonov",
    "Zokirov",
    "Po'latov",
)


def mahalla_names(rng: np.random.Generator, count: int) -> list[str]:
    """`count` distinct mahalla names for one district, each ending in "MFY" (mahalla fuqarolar yig'ini).

    Roots are drawn without replacement while they last; further names get a qualifier, then a number,
    so that names within a district never repeat.
    """
    roots = list(MAHALLA_ROOTS)
    order = rng.permutation(len(roots))
    names: list[str] = []
    seen: set[str] = set()
    for index in range(count):
        root = roots[int(order[index % len(roots)])]
        name = root
        if name in seen:
            qualifier = MAHALLA_QUALIFIERS[int(rng.integers(len(MAHALLA_QUALIFIERS)))]
            name = f"{qualifier} {root}"
        serial = 2
        base = name
        while name in seen:
            name = f"{base} {serial}"
            serial += 1
        seen.add(name)
        names.append(name)
    return [f"{name} MFY" for name in names]


def mahalla_name_scripts(name_uz: str) -> tuple[str, str]:
    """The Uzbek Cyrillic and Russian forms of a Latin mahalla name ("Navbahor MFY")."""
    root = name_uz.removesuffix(" MFY")
    return latin_to_cyrillic(name_uz), f"махалля {latin_to_russian(root)}"


def person_name(rng: np.random.Generator, female: bool) -> str:
    """A full name "Surname Given" as Uzbek documents write it (Karimova Dilnoza)."""
    surname = SURNAMES[int(rng.integers(len(SURNAMES)))]
    if female:
        return f"{surname}a {FEMALE_GIVEN[int(rng.integers(len(FEMALE_GIVEN)))]}"
    return f"{surname} {MALE_GIVEN[int(rng.integers(len(MALE_GIVEN)))]}"
