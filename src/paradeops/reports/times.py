"""The one way outputs write a clock time.

JSON (``schedule``, ``simulate``, ``music``, ``rehearsals``, the service):
ISO 8601 with the UTC offset in force at that instant, to a tenth of a
second, the tenth left out when it is zero: ``2025-05-09T10:00:00+03:00``,
``2025-05-09T10:05:21.5+03:00``. This is the form ``schedule --format json``
has always written and its schema documents; ``simulate`` (microseconds) and
``music`` (always milliseconds) used to write others. A tenth is all a
parade can use, and the tables round half up from it.

Tables: ``HH:MM:SS`` in the parade's zone, rounded to the second; a time at
another offset than the reference's carries its own (``03:00:00+02:00``).
"""

from __future__ import annotations

import datetime as dt
import math

from paradeops.model.clock import clock_text
from paradeops.timing.schedule import Schedule

__all__ = ["clock", "clock_or_dash", "iso", "iso_moment", "iso_or_none"]


def iso_moment(moment: dt.datetime) -> str:
    """``moment`` as ISO 8601 with its offset, to 0.1 s (``…T10:21:35.4+03:00``)."""
    utc = moment.astimezone(dt.UTC)
    tenths = round(utc.microsecond / 100_000)
    # Rounded in UTC: adding to a local time is wall-clock arithmetic, which
    # puts 02:01+01:00 (after clocks go back) at 02:01+02:00, an hour early.
    utc = utc.replace(microsecond=0) + dt.timedelta(seconds=tenths / 10)
    t = utc.astimezone(moment.tzinfo)
    whole = t.isoformat(timespec="seconds")
    if t.microsecond == 0:
        return whole
    # isoformat puts the offset after the seconds: splice the tenth in before it.
    return f"{whole[:19]}.{t.microsecond // 100_000}{whole[19:]}"


def iso(s: Schedule, seconds: float) -> str:
    """The clock time ``seconds`` after the schedule's reference, as JSON writes it."""
    return iso_moment(s.clock(seconds))


def iso_or_none(s: Schedule, seconds: float | None) -> str | None:
    """:func:`iso`, or ``None`` (JSON ``null``) for no time or one never reached."""
    return None if seconds is None or not math.isfinite(seconds) else iso(s, seconds)


def clock(s: Schedule, seconds: float) -> str:
    """Clock time ``HH:MM:SS`` in the parade's zone, rounded to the second.

    On a daylight-saving day, a time at another offset than the start's
    carries its own (``03:00:00+02:00``): the title gives the start's.
    """
    return clock_text(s.clock(seconds), s.reference)


def clock_or_dash(s: Schedule, seconds: float) -> str:
    """:func:`clock`, or ``—`` for a time never reached (a simulated unit that did not pass)."""
    return "—" if not math.isfinite(seconds) else clock(s, seconds)
