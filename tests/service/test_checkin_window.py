"""The default check-in window as instants: daylight-saving days, midnights the
clocks skip, parades across midnight (pure: no server)."""

from __future__ import annotations

import datetime as dt

from paradeops.io.planfile import parse_plan
from paradeops.model.clock import seconds_between
from paradeops.service.checkins.window import default_window, parade_day
from paradeops.timing.engine import schedule
from tests.timing.test_clocks import NEXT_DAY, car, plan


def test_the_spring_day_is_23_hours_and_the_autumn_day_25() -> None:
    spring = parse_plan(plan("2025-03-30", "10:00:00", car("a")), "plan.yaml")
    first, last = parade_day(spring)
    assert (first.isoformat(), last.isoformat()) == (
        "2025-03-30T00:00:00+01:00",
        "2025-03-31T00:00:00+02:00",
    )
    assert seconds_between(first, last) == 23 * 3600
    autumn = parse_plan(plan("2025-10-26", "10:00:00", car("a")), "plan.yaml")
    assert seconds_between(*parade_day(autumn)) == 25 * 3600
    # One calendar day either side: 29 March 00:00+01:00 to 1 April 00:00+02:00.
    w = default_window(spring, 1)
    assert (w.start.isoformat(), w.end.isoformat()) == (
        "2025-03-29T00:00:00+01:00",
        "2025-04-01T00:00:00+02:00",
    )


def test_a_midnight_the_clocks_skip_starts_the_day_at_the_change() -> None:
    # Santiago goes from 24:00 (-04:00) to 01:00 (-03:00) on 7 September 2025:
    # the day's first instant is 04:00 UTC, which the clocks show as 01:00.
    text = plan("2025-09-07", "10:00:00", car("a")).replace("Europe/Paris", "America/Santiago")
    first, last = parade_day(parse_plan(text, "plan.yaml"))
    assert (first.isoformat(), last.isoformat()) == (
        "2025-09-07T01:00:00-03:00",
        "2025-09-08T00:00:00-03:00",
    )


def test_a_parade_across_midnight_is_inside_its_window() -> None:
    # NEXT_DAY starts at 23:40 on 14 July (+02:00); its window ends at 24:30:00,
    # 00:30 on the 15th, the last tail passes before that.
    p = parse_plan(NEXT_DAY, "plan.yaml")
    s = schedule(p)
    assert parade_day(p, s)[1].isoformat() == "2025-07-15T00:30:00+02:00"
    w = default_window(p, 0, s)
    assert w.holds(dt.datetime.fromisoformat("2025-07-15T00:20:00+02:00"))
    assert not w.holds(dt.datetime.fromisoformat("2025-07-15T00:30:01+02:00"))
    # Without the schedule the date alone ends at midnight.
    assert not default_window(p, 0).holds(dt.datetime.fromisoformat("2025-07-15T00:20:00+02:00"))
    # N days widen the parade too: 00:30 on the 15th + 1 day.
    assert default_window(p, 1, s).end.isoformat() == "2025-07-16T00:30:00+02:00"
