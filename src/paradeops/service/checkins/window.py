"""When a check-in may say it happened: a window around the parade.

A phone with a wrong date, or a hostile client, once stored ``at`` in the
year 9999 and the control room of that plan failed for good. Now ``at`` must
lie within the plan's check-in window: by default the parade's date, in the
parade's time zone (its first instant to the next date's, 23 or 25 h on a
daylight-saving day), and the whole parade, past midnight too, widened by
``checkin_window_days`` on either side; an
organiser may give a plan its own window (a rehearsal days before, a replay).

The writer checks it per check-in with two comparisons; the plan's own
window is read at most once per batch, and then only every couple of
seconds per plan (:class:`Cache`), never per check-in.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.model.plan import Plan
from paradeops.service.checkins.models import WindowRow
from paradeops.timing.schedule import Schedule

#: A plan's own window must lie within this of the parade's date: far enough for
#: rehearsals months before, near enough that every time the control room
#: derives from a check-in stays a representable date.
PLAN_WINDOW_REACH = dt.timedelta(days=366)
logger = logging.getLogger(__name__)
_MIN = dt.datetime.min.replace(tzinfo=dt.UTC)
_MAX = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class Window:
    start: dt.datetime
    end: dt.datetime
    #: "plan" (set by an organiser) or "default" (around the parade's date).
    source: str
    set_by: str | None = None
    set_at: str | None = None

    def holds(self, at: dt.datetime) -> bool:
        # The ends have fixed offsets (_fixed): aware datetimes sharing a zone
        # would compare as wall-clock times, blind to a repeated hour.
        return self.start <= at <= self.end

    def describe(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def _shifted(t: dt.datetime, by: dt.timedelta) -> dt.datetime:
    """The instant ``by`` after ``t``, through UTC; held at the ends of the calendar."""
    try:
        return (t.astimezone(dt.UTC) + by).astimezone(t.tzinfo)
    except (OverflowError, ValueError):
        return _MAX if by > dt.timedelta(0) else _MIN


def _local(naive: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """The first instant a wall clock in ``zone`` reads ``naive`` or later, as it reads.

    zoneinfo takes a skipped or repeated wall time with ``fold=0`` at the
    offset before the change: a skipped midnight is the change itself (the
    clocks read 01:00), a repeated one its first passing.
    """
    return dt.datetime.combine(naive.date(), naive.time(), zone).astimezone(dt.UTC).astimezone(zone)


def _calendar(day: dt.date, days: float, zone: ZoneInfo, *, later: bool) -> dt.datetime:
    """Midnight ``days`` calendar days before ``day`` (or after the day's end)."""
    try:
        naive = dt.datetime.combine(day, dt.time())
        naive = naive + dt.timedelta(days=1 + days) if later else naive - dt.timedelta(days=days)
        return _local(naive, zone)
    except (OverflowError, ValueError):
        return _MAX if later else _MIN


def parade_day(plan: Plan, schedule: Schedule | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The parade's date in its time zone, and the whole parade (``schedule``'s).

    From the first instant of the date (its midnight, or the change of offset
    that skips it) to the first of the next date: 23 or 25 hours on a
    daylight-saving day. A parade that runs past midnight (or starts before
    its date) widens it to its first step-off and its last tail, or window end.
    """
    return _window(plan, schedule, 0.0)


def _window(plan: Plan, schedule: Schedule | None, days: float) -> tuple[dt.datetime, dt.datetime]:
    zone = ZoneInfo(plan.parade.timezone)
    first = _calendar(plan.parade.date, days, zone, later=False)
    last = _calendar(plan.parade.date, days, zone, later=True)
    if schedule is not None:
        lo, hi = parade_span(schedule)
        margin = dt.timedelta(days=days)
        first = min(first, _shifted(schedule.clock(lo), -margin))
        last = max(last, _shifted(schedule.clock(hi), margin))
    return _fixed(first), _fixed(last)


def _fixed(t: dt.datetime) -> dt.datetime:
    """The same instant at the fixed offset in force then (``+03:00``), as shown."""
    offset = t.utcoffset()
    return t if offset is None else t.astimezone(dt.timezone(offset))


def parade_span(s: Schedule) -> tuple[float, float]:
    """The first step-off and the last tail (or the window's end) [s from reference]."""
    lo = min([0.0, *(u.step_off for u in s.units), *(p.head for u in s.units for p in u.passes)])
    hi = max([0.0, *(p.tail for u in s.units for p in u.passes)])
    if s.window_end is not None:
        hi = max(hi, s.window_end)
    return lo, hi


def default_window(plan: Plan, days: float, schedule: Schedule | None = None) -> Window:
    """The parade's date widened by ``days`` calendar days either side, and the
    whole parade (``schedule``'s, past midnight too) widened by as much."""
    first, last = _window(plan, schedule, days)
    return Window(first, last, "default")


class Own(NamedTuple):
    """A plan's own window as stored (its latest ``checkin_windows`` row)."""

    id: int
    plan_id: int
    from_at: str | None
    until_at: str | None
    set_at: str
    set_by: str


def effective(plan: Plan, days: float, own: Own | None, schedule: Schedule | None = None) -> Window:
    """The plan's own window if it has one, else the default (around ``schedule``)."""
    if own is None or own.from_at is None or own.until_at is None:
        return default_window(plan, days, schedule)
    start, end = _aware(own.from_at), _aware(own.until_at)
    if start is None or end is None:  # stored by hand, unreadable: the default holds
        logger.warning(
            "check-in window row %s of plan %s unreadable: default used", own.id, own.plan_id
        )
        return default_window(plan, days, schedule)
    return Window(start, end, "plan", own.set_by, own.set_at)


def _aware(text: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


_t = WindowRow.__table__.c
# Built once (hot path: the writer asks per batch when its cache is stale).
_LATEST = (
    select(_t.id, _t.plan_id, _t.from_at, _t.until_at, _t.set_at, _t.set_by)
    .where(_t.plan_id.in_(bindparam("ids", expanding=True)))
    .order_by(_t.id)
)


def plan_windows(session: Session, plan_ids: Collection[int]) -> dict[int, Own]:
    """The latest window row of each plan that has one (one query for all of them)."""
    if not plan_ids:
        return {}
    rows = session.execute(_LATEST, {"ids": list(plan_ids)})
    return {r.plan_id: Own(*r) for r in rows}  # later rows replace earlier ones


class Cache:
    """The plans' own windows for the writer: read at most every :data:`FRESH_S` per plan.

    A query per batch cost a fifth of a millisecond on the hot path. A change
    made through this process is seen at once (:meth:`forget`); one made by
    another process serving the same database within :data:`FRESH_S`.
    """

    FRESH_S = 2.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._known: dict[int, tuple[float, Own | None]] = {}

    def get(self, session: Session, plan_ids: Collection[int]) -> dict[int, Own | None]:
        now = time.monotonic()
        with self._lock:
            hits = {
                i: self._known[i]
                for i in plan_ids
                if i in self._known and now - self._known[i][0] < self.FRESH_S
            }
        stale = [i for i in plan_ids if i not in hits]
        found = plan_windows(session, stale) if stale else {}
        with self._lock:
            for i in stale:
                self._known[i] = (now, found.get(i))
        return {i: hits[i][1] if i in hits else found.get(i) for i in plan_ids}

    def forget(self, plan_id: int) -> None:
        with self._lock:
            self._known.pop(plan_id, None)


def check(window: Window, at: dt.datetime, plan_id: int) -> None:
    """A 400 naming ``at``, the window and what to do, if ``at`` lies outside it."""
    if window.holds(at):
        return
    hint = "check the phone's date, time and time zone"
    hint += (
        f"; an organiser can widen the window for a rehearsal or replay "
        f"(PUT /api/plans/{plan_id}/checkin-window)"
        if window.source == "default"
        else f"; this plan's window was set by {window.set_by} (PUT /api/plans/"
        f"{plan_id}/checkin-window changes it)"
    )
    raise UserError(
        f"{at.isoformat()} is outside the plan's check-in window ({window.describe()})",
        field="at",
        hint=hint,
    )


def check_plan_window(
    plan: Plan, start: dt.datetime, end: dt.datetime, schedule: Schedule | None = None
) -> None:
    """A plan's own window: in order, and within :data:`PLAN_WINDOW_REACH` of its parade."""
    if end <= start:
        raise UserError("must be later than 'from'", field="until", hint="swap the two times")
    first, last = parade_day(plan, schedule)
    lo, hi = _shifted(first, -PLAN_WINDOW_REACH), _shifted(last, PLAN_WINDOW_REACH)
    for name, t in (("from", start), ("until", end)):
        if not lo <= t <= hi:
            raise UserError(
                f"{t.isoformat()} is more than {PLAN_WINDOW_REACH.days} days from the "
                f"parade's date ({plan.parade.date.isoformat()})",
                field=name,
                hint=f"give a time between {lo.isoformat()} and {hi.isoformat()}",
            )
