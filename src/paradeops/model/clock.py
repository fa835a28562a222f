"""Clock times in a plan, and the one rule that turns them into instants. Pure.

The rule (``docs/timing.md``, "Clock times"):

* ``"HH:MM[:SS[.f]]"`` with ``HH`` from 00 to 23 is a wall-clock time on the
  parade's date, in the parade's time zone;
* ``HH`` from 24 to 47 is that wall-clock time minus 24 h on the *next* date
  (``"24:30:00"`` is half past midnight after the parade's date). This is not
  GTFS's "noon minus 12 h", which is an hour off on a daylight-saving day;
* an ISO 8601 date-time with its offset (``2025-07-15T00:30:00+02:00``) is
  that instant, whatever date it names;
* a wall-clock time the zone skips (clocks going forward) is an error naming
  the two instants it could have meant; one the zone passes twice (clocks
  going back) is an error unless its offset is written.

Every clock time becomes an aware datetime once, here; all arithmetic after
that is on instants, through UTC (Python subtracts two datetimes that share
a ``tzinfo`` as wall-clock times, which is wrong across a change).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

__all__ = [
    "CLOCK_PATTERN",
    "ClockError",
    "ClockTime",
    "clock_text",
    "instant",
    "iso",
    "offset_changes",
    "offset_text",
    "parse_clock_time",
    "plan_spelling",
    "seconds_between",
    "wall_instant",
]

#: Hours 0–47: 24–47 name the next date.
CLOCK_PATTERN = r"^([0-3]?\d|4[0-7]):([0-5]\d)(?::([0-5]\d(?:\.\d+)?))?$"
_CLOCK = re.compile(CLOCK_PATTERN)
_DAY = dt.timedelta(days=1)

_EXAMPLES = '"10:30:00", "24:15:00" (00:15 the next day) or 2025-07-15T00:15:00+02:00'


class ClockError(ValueError):
    """A clock time that names no instant, or two; ``hint`` says what to write."""

    def __init__(self, field: str, message: str, hint: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message  # without the field: a located problem names it
        self.hint = hint


@dataclass(frozen=True)
class ClockTime:
    """A clock time as a plan gives it: a wall-clock time, or an instant.

    ``wall`` is the time of day on the parade's date plus ``days`` (1 for
    ``24:00:00``–``47:59:59``). ``fixed`` is set for an ISO date-time with its
    offset: that instant is meant, and ``wall`` is its time of day there.
    """

    wall: dt.time
    days: int = 0
    fixed: dt.datetime | None = None

    def __str__(self) -> str:
        """As a plan would write it (parses back to an equal value)."""
        if self.fixed is not None:
            return self.fixed.isoformat()
        hours = self.wall.hour + 24 * self.days
        text = f"{hours:02d}:{self.wall.minute:02d}:{self.wall.second:02d}"
        return text + (f".{self.wall.microsecond:06d}".rstrip("0") if self.wall.microsecond else "")


def parse_clock_time(value: Any) -> ClockTime:
    """``"HH:MM[:SS[.f]]"`` (HH up to 47), an ISO date-time with offset, or a time."""
    if isinstance(value, ClockTime):
        return value
    if isinstance(value, dt.datetime):
        return _fixed(value)
    if isinstance(value, dt.time) and value.tzinfo is None:
        return ClockTime(value)
    if isinstance(value, str):
        text = value.strip()
        m = _CLOCK.match(text)
        if m:
            return _wall(int(m.group(1)), int(m.group(2)), float(m.group(3) or 0))
        if "T" in text or " " in text:
            try:
                return _fixed(dt.datetime.fromisoformat(text))
            except ValueError as e:
                if "offset" in str(e):
                    raise
    if isinstance(value, dt.date):
        raise ValueError(f"{value.isoformat()} is a date; a time is needed, e.g. {_EXAMPLES}")
    raise ValueError(f"expected a clock time such as {_EXAMPLES}; got {value!r}")


def _wall(hours: int, minutes: int, seconds: float) -> ClockTime:
    whole = int(seconds)
    # 59.9999999 would round up to a 60th second: keep it a valid time.
    micro = min(round((seconds - whole) * 1e6), 999_999)
    return ClockTime(dt.time(hours % 24, minutes, whole, micro), days=hours // 24)


def _fixed(value: dt.datetime) -> ClockTime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"{value.isoformat()} has no UTC offset: write e.g. "
            f"{value.isoformat(timespec='seconds')}+02:00, or the time alone"
        )
    # ruamel's TimeStamp is a datetime subclass: keep a plain one.
    plain = dt.datetime.fromisoformat(value.isoformat())
    return ClockTime(plain.time(), fixed=plain)


def instant(clock: ClockTime, date: dt.date, zone: ZoneInfo, field: str) -> dt.datetime:
    """The instant ``clock`` names for a parade on ``date`` in ``zone``.

    Raises :class:`ClockError` (naming ``field``) when the wall-clock time is
    skipped or repeated that day.
    """
    if clock.fixed is not None:
        return clock.fixed.astimezone(zone)
    return wall_instant(date + clock.days * _DAY, clock.wall, zone, field, str(clock))


def wall_instant(
    day: dt.date, time: dt.time, zone: ZoneInfo, field: str, written: str | None = None
) -> dt.datetime:
    """The one instant a wall clock in ``zone`` shows ``time`` on ``day``."""
    naive = dt.datetime.combine(day, time)
    # zoneinfo reads fold=0 at the offset before a change and fold=1 after it.
    before = naive.replace(tzinfo=zone, fold=0)
    after = naive.replace(tzinfo=zone, fold=1)
    if before.utcoffset() == after.utcoffset():
        return before
    shown = written or f"{time.isoformat()}"
    old, new = offset_text(before), offset_text(after)
    if _round_trip(before) != naive:
        # Skipped: the same reading at either offset is a real instant.
        first, second = _in_force(before, zone), _in_force(after, zone)
        raise ClockError(
            field,
            f"{shown} does not exist on {day.isoformat()} in {zone.key}: the clocks "
            f"jump from {old} to {new}; at {old} it would be {iso(first)}, "
            f"at {new} {iso(second)}",
            f"write the instant you mean, e.g. {iso(first)} or {iso(second)}",
        )
    raise ClockError(
        field,
        f"{shown} happens twice on {day.isoformat()} in {zone.key}: "
        f"first at {old} ({iso(before)}), then at {new} ({iso(after)})",
        f"write the one you mean with its offset, e.g. {iso(before)} or {iso(after)}",
    )


def _round_trip(local: dt.datetime) -> dt.datetime:
    return local.astimezone(dt.UTC).astimezone(local.tzinfo).replace(tzinfo=None)


def _in_force(local: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """``local`` as the zone's clocks actually showed that instant."""
    return local.astimezone(dt.UTC).astimezone(zone)


def seconds_between(start: dt.datetime, end: dt.datetime) -> float:
    """``end − start`` in seconds, through UTC (never as wall-clock times)."""
    return (end.astimezone(dt.UTC) - start.astimezone(dt.UTC)).total_seconds()


def iso(moment: dt.datetime) -> str:
    """ISO 8601 with the offset in force, to the second (finer if not whole)."""
    return moment.isoformat(timespec="seconds" if moment.microsecond == 0 else "auto")


def offset_text(moment: dt.datetime) -> str:
    """The UTC offset in force at ``moment``: ``+02:00``, ``-03:30``."""
    offset = moment.utcoffset()
    assert offset is not None, "an aware datetime is needed"
    sign = "-" if offset < dt.timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def clock_text(moment: dt.datetime, reference: dt.datetime) -> str:
    """``HH:MM:SS`` of ``moment`` (to the second, through UTC) as a table shows it.

    A time at another UTC offset than ``reference``'s carries its own
    (``03:00:00+02:00``); the table's title names the zone and the reference's
    offset. A time on a later date than the reference's carries ``(+1)``, on
    an earlier one ``(-1)``. Rounded in UTC: local arithmetic would misplace a
    time by an hour next to a change.

    Rounded as the JSON's tenth of a second reads, half up: JSON ``…:42.5``
    shows as ``…:43`` (not ``:42`` because the engine had 42.46), so a
    printed sheet and the file agree.
    """
    utc = moment.astimezone(dt.UTC)
    tenths = round(utc.microsecond / 100_000)
    whole = utc.replace(microsecond=0) + dt.timedelta(seconds=1 if tenths >= 5 else 0)
    local = whole.astimezone(reference.tzinfo)
    text = f"{local:%H:%M:%S}"
    if local.utcoffset() != reference.utcoffset():
        text += offset_text(local)
    days = (local.date() - reference.date()).days
    return text + (f" ({days:+d})" if days else "")


def plan_spelling(moment: dt.datetime, date: dt.date, zone: ZoneInfo) -> str:
    """How a plan for a parade on ``date`` writes ``moment``, to the second.

    ``HH:MM:SS`` on the parade's date, ``24:MM:SS``–``47:59:59`` on the next,
    the ISO form with offset for any other date or a time the clocks show
    twice that day.
    """
    # To the nearest second, through UTC: a hint must be within half a second.
    utc = moment.astimezone(dt.UTC) + dt.timedelta(microseconds=500_000)
    local = utc.replace(microsecond=0).astimezone(zone)
    days = (local.date() - date).days
    twice = local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()
    if days in (0, 1) and not twice:
        return f"{local.hour + 24 * days:02d}:{local:%M:%S}"
    return iso(local)


#: Offsets are compared this often before halving: tzdata has no change of
#: offset undone within it, so no change and its reversal can hide between samples.
_SAMPLE_S = 900


def offset_changes(start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every instant from ``start`` to ``end`` at which the offset changes (local).

    The offset is read every :data:`_SAMPLE_S` seconds and each stretch whose
    ends differ is halved, to the second, down to its change: any number of
    changes is found, in order, each at the first second of its new offset.
    """
    zone = start.tzinfo

    def offset(epoch: int) -> dt.timedelta | None:
        return dt.datetime.fromtimestamp(epoch, zone).utcoffset()

    first, last = math.floor(start.timestamp()), math.ceil(end.timestamp())
    changes = []
    lo = first
    while lo < last:
        hi = min(lo + _SAMPLE_S, last)
        if offset(lo) != offset(hi):
            a, b = lo, hi
            while b - a > 1:
                mid = (a + b) // 2
                a, b = (mid, b) if offset(mid) == offset(a) else (a, mid)
            changes.append(dt.datetime.fromtimestamp(b, zone))
        lo = hi
    return changes
