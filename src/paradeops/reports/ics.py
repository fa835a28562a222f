"""Rehearsals as an iCalendar file (RFC 5545) for people's calendars."""

from __future__ import annotations

import datetime as dt
import hashlib
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from paradeops.model.clock import ClockError, instant, iso, offset_text
from paradeops.model.plan import Plan
from paradeops.model.rehearsals import Rehearsal


def rehearsal_window(
    plan: Plan, r: Rehearsal, default_s: float | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """Aware start and end of a rehearsal, by the plan's rule on its own date.

    ``24:30:00`` is half past midnight after the rehearsal's date. Without
    ``end`` or ``duration_s``, it lasts ``default_s`` (the parade's scheduled
    duration, given by the caller), else one hour.
    """
    zone = ZoneInfo(plan.parade.timezone)
    # The loader has refused times the clocks skip or show twice that day,
    # and an end not after the start; these raise ClockError on a bare Plan.
    field = f"rehearsals[{r.id}]"
    start = instant(r.start, r.date, zone, f"{field}.start")
    if r.end is not None:
        end = instant(r.end, r.date, zone, f"{field}.end")
        if end <= start:
            raise ClockError(
                f"{field}.end",
                f"{iso(end)} is not after the start {iso(start)}",
                "after midnight write 24:MM:SS (24:30:00 is 00:30 the next day)",
            )
    else:
        seconds = r.duration_s if r.duration_s is not None else (default_s or 3600.0)
        # Through UTC: an hour after 01:30 on a spring-forward night is 03:30.
        end = (start.astimezone(dt.UTC) + dt.timedelta(seconds=seconds)).astimezone(zone)
    return start, end


def rehearsals_ics(plan: Plan, stamp: dt.datetime, default_s: float | None = None) -> bytes:
    """One VEVENT per rehearsal; UIDs are stable across exports.

    ``stamp`` is the DTSTAMP (when the file was made), aware.
    """
    cal = Calendar()
    cal.add("prodid", "-//ParadeOps//rehearsals//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{plan.parade.name}: rehearsals")
    labels = {u.id: u.label for u in plan.units}
    for r in plan.rehearsals:
        start, end = rehearsal_window(plan, r, default_s)
        ev = Event()
        key = f"{plan.parade.name}|{plan.parade.date}|{r.id}".encode()
        ev.add("uid", f"{hashlib.sha1(key).hexdigest()[:16]}-{r.id}@paradeops")
        ev.add("dtstamp", stamp.astimezone(dt.UTC))
        ev.add("dtstart", start)
        ev.add("dtend", end)
        ev.add("summary", f"{plan.parade.name}: {r.label}")
        ev.add("location", r.place)
        units = "all units" if r.units is None else ", ".join(labels[u] for u in r.units)
        lines = [f"Units: {units}."]
        lines.append(
            f"Head of the first unit at the start point at {start:%H:%M:%S} "
            f"(UTC{offset_text(start)}, {plan.parade.timezone})."
        )
        if r.note:
            lines.append(r.note)
        ev.add("description", "\n".join(lines))
        cal.add_component(ev)
    cal.add_missing_timezones()
    return bytes(cal.to_ical())
