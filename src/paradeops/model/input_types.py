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
from typing import Annotated

from pydantic import AllowInfNan, Field, Strict

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
#: A calendar date (of a parade, a rehearsal) within MIN_DATE-MAX_DATE.
PlanDate = Annotated[dt.date, Field(ge=MIN_DATE, le=MAX_DATE)]
#: true or false, nothing else (not 1, not "yes").
Flag = Annotated[bool, Strict()]
#: A length either way along the route [m] (negative: before).
SignedMetres = Annotated[_Real, Field(ge=-MAX_LENGTH_M, le=MAX_LENGTH_M)]
#: A time either way [s] (negative: earlier).
SignedSeconds = Annotated[_Real, Field(ge=-MAX_DURATION_S, le=MAX_DURATION_S)]
#: A fraction or factor with a bound of its own (set with Field(le=...)).
Fraction = _Real
