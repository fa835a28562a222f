"""The kinds of value a plan holds: strict, finite and bounded.

pydantic's default ("lax") numbers take ``true`` as 1 and ``1e20`` as a count
of ranks; both then go wrong far from the file (a 1 km/h unit, an
OverflowError in the engine). Every number here is strict (a boolean or a
quoted number is refused), finite (no ``.nan`` or ``.inf``) and bounded
above by a figure far beyond any parade but small enough for the engine's
arithmetic. Counts are whole numbers. Pure: type aliases only.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AllowInfNan, BeforeValidator, Field, Strict
from pydantic_core import PydanticCustomError

#: The earliest and latest date of a parade or a rehearsal: a century of archives before
#: the first plan and two after; far enough from year 1 and 9999 that every time of
#: the day (and the next, for 24:MM times) is a real date.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2200, 12, 31)
#: The longest route, gap or formation length accepted [m] (a parade route is a few km).
MAX_LENGTH_M = 100_000.0
#: The fastest ground unit [km/h] (parade vehicles pass at 5-30 km/h).
MAX_GROUND_SPEED_KMH = 150.0
#: The fastest aircraft [km/h] (a flypast at the speed of sound is 1,235 km/h).
MAX_AIR_SPEED_KMH = 3_000.0
#: The longest duration [s]: a day.
MAX_DURATION_S = 86_400.0
#: The most ranks of one formation, vehicles or aircraft of one unit.
MAX_COUNT = 10_000
#: The most files (people side by side) of one formation.
MAX_FILES = 1_000
#: The most people of one unit.
MAX_PERSONNEL = 1_000_000

# A number as written: no booleans, no quoted numbers, no NaN or infinity.
_Real = Annotated[float, Strict(), AllowInfNan(False)]
_Whole = Annotated[int, Strict()]

#: A length along the road [m], 0 or more.
Metres = Annotated[_Real, Field(ge=0, le=MAX_LENGTH_M)]
#: A length that cannot be 0 [m] (a vehicle, a float, a step).
PositiveMetres = Annotated[_Real, Field(gt=0, le=MAX_LENGTH_M)]
#: A ground unit's speed [km/h].
GroundSpeed = Annotated[_Real, Field(gt=0, le=MAX_GROUND_SPEED_KMH)]
#: An aircraft's speed [km/h].
AirSpeed = Annotated[_Real, Field(gt=0, le=MAX_AIR_SPEED_KMH)]
#: A duration [s], 0 or more.
Seconds = Annotated[_Real, Field(ge=0, le=MAX_DURATION_S)]
#: A duration that cannot be 0 [s].
PositiveSeconds = Annotated[_Real, Field(gt=0, le=MAX_DURATION_S)]
#: Steps (or beats) per minute: a march is 60-140.
PerMinute = Annotated[_Real, Field(gt=0, le=300)]
#: How many (ranks, vehicles, aircraft): at least one.
Count = Annotated[_Whole, Field(ge=1, le=MAX_COUNT)]
#: People side by side in a rank.
Files = Annotated[_Whole, Field(ge=1, le=MAX_FILES)]
#: A number of people.
Personnel = Annotated[_Whole, Field(ge=0, le=MAX_PERSONNEL)]
#: Degrees of longitude and latitude.
Longitude = Annotated[_Real, Field(ge=-180, le=180)]
Latitude = Annotated[_Real, Field(ge=-90, le=90)]
#: A number with no natural bound of its own (a distribution's parameter).
Real = Annotated[_Real, Field(ge=-1e9, le=1e9)]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def calendar_date(value: Any) -> Any:
    """A YAML date or ``"YYYY-MM-DD"`` text, and nothing else.

    pydantic's lax dates take ``0`` and ``1746748800`` as Unix seconds and
    a date-time at midnight as its date: a plan would silently run on
    1 January 1970. The error kinds are pydantic's own, so the messages and
    hints are the project's (:mod:`paradeops.model.input_messages`).
    """
    if isinstance(value, dt.datetime):
        raise PydanticCustomError("date_from_datetime_inexact", "has a time of day")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _ISO_DATE.match(text) and text[10:11] in ("T", "t", " "):
            raise PydanticCustomError("date_from_datetime_inexact", "has a time of day")
        if _ISO_DATE.fullmatch(text):
            try:
                return dt.date.fromisoformat(text)
            except ValueError:
                pass
        raise PydanticCustomError("date_parsing", "is not a date on the calendar")
    raise PydanticCustomError("date_type", "must be a date")


#: A calendar date: a YAML date or "YYYY-MM-DD" text, never a number or a date-time.
CalendarDate = Annotated[dt.date, BeforeValidator(calendar_date)]

#: A calendar date (of a parade, a rehearsal) within MIN_DATE-MAX_DATE: a YAML
#: date or "YYYY-MM-DD" text, never a number or a date-time.
# The bounds before the validator: they apply to the date schema itself, whose
# errors carry the bound as a date (the message names it as YYYY-MM-DD).
PlanDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE), BeforeValidator(calendar_date)]
#: true or false, nothing else (not 1, not "yes").
Flag = Annotated[bool, Strict()]
#: A length either way along the route [m] (negative: before).
SignedMetres = Annotated[_Real, Field(ge=-MAX_LENGTH_M, le=MAX_LENGTH_M)]
#: A time either way [s] (negative: earlier).
SignedSeconds = Annotated[_Real, Field(ge=-MAX_DURATION_S, le=MAX_DURATION_S)]
#: A fraction or factor with a bound of its own (set with Field(le=...)).
Fraction = _Real


#: Characters a text of an input file may not hold, whatever its script: C0 and
#: C1 controls (ESC starts a terminal's escape sequences, CR overwrites a line,
#: 0x9B is a one-byte CSI) and the bidirectional embeddings, overrides and
#: isolates (U+202A-U+202E, U+2066-U+2069), which reorder what a reader sees.
#: Tab and line feed stay allowed: a description may be a YAML block. Joiners
#: (U+200C, U+200D) and the direction marks (U+200E, U+200F) are printable
#: text in Arabic, Indic and emoji spellings and are kept.
_FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_character(text: str) -> str | None:
    """Why ``text`` cannot be shown on a terminal as it is, or None if it can.

    Names the first forbidden character by its code point and position (the
    character itself would do what it is refused for).
    """
    found = _FORBIDDEN.search(text)
    if found is None:
        return None
    kind = "a direction override" if found.group() >= "\u202a" else "a control character"
    return f"contains {kind} (U+{ord(found.group()):04X}) at character {found.start() + 1}"
