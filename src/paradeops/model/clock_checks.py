"""The clock rules a single field cannot check: they need the parade's date and zone.

Run on the plan's plain data, like :mod:`paradeops.model.checks` (which calls
:func:`clock_issues`), so they still report when another field is wrong. A
clock time pydantic cannot read, or a date or zone it refuses, is left to
pydantic's own message. Pure.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from paradeops.model.clock import (
    ClockError,
    ClockTime,
    instant,
    iso,
    parse_clock_time,
    plan_spelling,
)

Loc = tuple[str | int, ...]
Issue = tuple[Loc, str, str]

__all__ = ["clock_fields", "clock_issues", "parade_date", "parade_zone"]

START: Loc = ("parade", "start")


def clock_issues(data: Mapping[str, Any]) -> Iterator[Issue]:
    """Clock times the zone skips or repeats, and times that must not precede the start."""
    parade = _map(data.get("parade"))
    date, zone = parade_date(parade.get("date")), parade_zone(parade.get("timezone"))
    if date is None or zone is None:
        return
    instants: dict[Loc, tuple[ClockTime, dt.datetime]] = {}
    for loc, value in clock_fields(data):
        try:
            clock = parse_clock_time(value)
        except ValueError:
            continue  # pydantic says what is wrong with the spelling
        try:
            instants[loc] = clock, instant(clock, date, zone, _path(loc))
        except ClockError as e:
            yield loc, e.message, e.hint
    yield from _rehearsal_issues(data, zone)
    if START not in instants:
        return
    start = instants[START][1]
    for loc, (clock, at) in instants.items():
        # Aircraft may open the parade: a flypast before the start is allowed
        # (timed at the schedule, a warning when much earlier).
        if loc == START or loc[-1] == "at" or at >= start:
            continue
        yield loc, _before_start(clock, at, start, date, zone), _hint(clock, start, date, zone)


def clock_fields(data: Mapping[str, Any]) -> Iterator[tuple[Loc, Any]]:
    """Every clock time a plan gives, with its location (``None`` values left out)."""
    parade = _map(data.get("parade"))
    for key in ("start", "window_end"):
        if parade.get(key) is not None:
            yield ("parade", key), parade[key]
    units = data.get("units")
    for i, raw in enumerate(units if isinstance(units, list) else []):
        u = _map(raw)
        if u.get("kind") == "aircraft" and u.get("at") is not None:
            yield ("units", i, "at"), u["at"]
        if u.get("step_off") is not None:
            yield ("units", i, "step_off"), u["step_off"]
        target = _map(u.get("target"))
        for part in ("head", "tail"):
            if target.get(part) is not None:
                yield ("units", i, "target", part), target[part]


def _rehearsal_issues(data: Mapping[str, Any], zone: ZoneInfo) -> Iterator[Issue]:
    """Rehearsal start and end: clock times on the rehearsal's own date.

    The same rule as the parade's: ``24:MM`` is the next date, a skipped or
    repeated wall-clock time is an error, and an ``end`` not after the
    ``start`` is an error that says how to write a time after midnight.
    """
    rehearsals = data.get("rehearsals")
    for r, raw in enumerate(rehearsals if isinstance(rehearsals, list) else []):
        rehearsal = _map(raw)
        day = parade_date(rehearsal.get("date"))
        if day is None:
            continue
        found: dict[str, tuple[ClockTime, dt.datetime]] = {}
        for key in ("start", "end"):
            value = rehearsal.get(key)
            if value is None:
                continue
            try:
                clock = parse_clock_time(value)
            except ValueError:
                continue  # pydantic says what is wrong with the spelling
            try:
                found[key] = clock, instant(clock, day, zone, "")
            except ClockError as e:
                yield ("rehearsals", r, key), e.message, e.hint
        if "start" in found and "end" in found:
            (_, start), (end_clock, end) = found["start"], found["end"]
            if end <= start:
                yield (
                    ("rehearsals", r, "end"),
                    f"{end_clock} ({iso(end)}) is not after the rehearsal's start "
                    f"{plan_spelling(start, day, zone)} ({iso(start)})",
                    _hint(end_clock, start, day, zone),
                )


def parade_date(value: Any) -> dt.date | None:
    """The parade's date as YAML (a date) or JSON (a string) gives it; else ``None``."""
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def parade_zone(value: Any) -> ZoneInfo | None:
    if not isinstance(value, str):
        return None
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def _before_start(
    clock: ClockTime, at: dt.datetime, start: dt.datetime, date: dt.date, zone: ZoneInfo
) -> str:
    return (
        f"{clock} ({iso(at)}) is before parade.start "
        f"{plan_spelling(start, date, zone)} ({iso(start)})"
    )


def _hint(clock: ClockTime, start: dt.datetime, date: dt.date, zone: ZoneInfo) -> str:
    """The ``24:MM`` and ISO spellings of the same wall-clock time a day later."""
    if clock.fixed is None and clock.days == 0:
        later = ClockTime(clock.wall, days=1)
        try:
            next_day = instant(later, date, zone, "")
        except ClockError:
            next_day = None
        if next_day is not None and next_day >= start:
            return (
                f"a time after midnight is written {later} (or {iso(next_day)}); "
                "otherwise give a time after the start"
            )
    return (
        "give a time after the start; after midnight write 24:MM:SS "
        "(24:30:00 is 00:30 the next day) or an ISO date-time with offset"
    )


def _path(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def _map(v: Any) -> Mapping[str, Any]:
    return v if isinstance(v, Mapping) else {}
