"""Country codes and names (ISO 3166-1), in English or a host language.

Uses pycountry's bundled ISO data and gettext catalogues: reference data that
ships with the library, not user files, so the core stays pure (no user
file, network, clock or database access).
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
import pyuca


def normalise_country(code: str) -> str:
    """An ISO 3166-1 alpha-2 or alpha-3 code to its alpha-2 form; ValueError if unknown."""
    text = code.strip().upper()
    country = None
    if len(text) == 2:
        country = pycountry.countries.get(alpha_2=text)
    elif len(text) == 3:
        country = pycountry.countries.get(alpha_3=text)
    if country is None:
        raise ValueError(
            f"{code!r} is not an ISO 3166-1 country code (two or three letters, e.g. LA or LAO)"
        )
    return str(country.alpha_2)


@lru_cache(maxsize=8)
def _translation(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        raise ValueError(f"no country names in language {language!r}") from None


def check_language(language: str) -> None:
    """ValueError unless country names exist in ``language`` (e.g. ``en``, ``ru``, ``fr``)."""
    _translation(language)


@lru_cache(maxsize=4096)
def country_name(alpha_2: str, language: str = "en") -> str:
    """The country's common name (else its official short name) in ``language``."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    if country is None:
        return alpha_2
    english = str(getattr(country, "common_name", None) or country.name)
    translated = _translation(language).gettext(english)
    if translated == english and english != country.name:
        translated = _translation(language).gettext(str(country.name))
    return translated


@lru_cache(maxsize=1)
def collator() -> pyuca.Collator:
    """The Unicode Collation Algorithm with the default table (Latin, Cyrillic, …)."""
    return pyuca.Collator()


def collation_key(text: str) -> tuple[int, ...]:
    return tuple(collator().sort_key(text))
