"""What the announcer may say about an incident: one line per code, per language.

The line names the unit when the incident has one (else a neutral subject)
and the place (the checkpoint nearest to it) when it is known. Languages:
English (``en``, the default) and Russian (``ru``); any other falls back to
English, so an announcer always has a line to read.
"""

from __future__ import annotations

from collections.abc import Mapping

#: Per language: each code's line, with {subject} and {near} filled in.
LINES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "breakdown": "The parade is paused: {subject} has broken down{near}; "
        "it will resume shortly.",
        "medical": "The parade is paused{near} while a participant receives medical care; "
        "it will resume shortly.",
        "weather": "The parade is paused because of the weather{near}; "
        "it will resume as soon as it is safe.",
        "security": "The parade is paused{near} for a safety check; please stay where you "
        "are, it will resume shortly.",
        "show_stop_overrun": "{Subject} is performing a little longer than planned{near}; "
        "the parade will move on shortly.",
        "crowd": "The parade is paused{near} while the route is cleared; please stay "
        "behind the barriers.",
        "other": "The parade is briefly paused{near}; it will resume shortly.",
    },
    "ru": {
        "breakdown": "Парад приостановлен: {subject} — техническая неисправность{near}; "
        "движение скоро возобновится.",
        "medical": "Парад приостановлен{near}: участнику оказывается медицинская помощь; "
        "движение скоро возобновится.",
        "weather": "Парад приостановлен из-за погоды{near}; движение возобновится, "
        "как только это будет безопасно.",
        "security": "Парад приостановлен{near} для проверки безопасности; пожалуйста, "
        "оставайтесь на своих местах.",
        "show_stop_overrun": "{Subject} выступает чуть дольше запланированного{near}; "
        "парад скоро продолжится.",
        "crowd": "Парад приостановлен{near}, пока освобождают маршрут; пожалуйста, "
        "оставайтесь за ограждением.",
        "other": "Парад ненадолго приостановлен{near}; движение скоро возобновится.",
    },
}
#: Who it is when the incident names no unit.
_SOMEONE = {"en": "a vehicle", "ru": "колонна"}
_NEAR = {"en": " near {place}", "ru": " у пункта «{place}»"}


def suggested_line(
    code: str, unit_name: str | None, place: str | None, language: str | None = None
) -> str:
    """The announcer's line for an incident of ``code``."""
    lang = language if language is not None and language in LINES else "en"
    template = LINES[lang].get(code, LINES[lang]["other"])
    subject = unit_name or _SOMEONE[lang]
    near = "" if place is None else _NEAR[lang].format(place=place)
    return template.format(subject=subject, Subject=subject[:1].upper() + subject[1:], near=near)
