"""The transliteration of names now lives in mahalla.core.transliterate (the casework app uses it at run
time); this module keeps the generator's imports working."""

from mahalla.core.transliterate import latin_to_cyrillic, latin_to_russian, normalise_apostrophes

__all__ = ["latin_to_cyrillic", "latin_to_russian", "normalise_apostrophes"]
