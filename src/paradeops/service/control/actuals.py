"""The check-ins of each plan as parsed actuals, kept in memory and extended as they commit.

The control room used to read every check-in of the plan, parse every time
and project from all of them every 0.2 s while check-ins arrived. Now each
plan's actuals are read once (a cold cache, a new revision: a full read) and
the writer hands over the rows its ``INSERT … RETURNING`` inserted, after the
commit. One uvicorn worker runs the service, so every check-in passes through
this process.

Besides all actuals (in the order ``checkins()`` reads them: received_at, id)
the reduced view the projection needs is kept as well: the first report of
each (unit, checkpoint, part), as :func:`paradeops.live.projection._first_seen`
finds it, in the same order. Projecting from it gives the same status as
projecting from all actuals, at a cost that does not grow with the check-ins.

Stored data is not trusted: a row whose time cannot be read, or lies so far
from the parade that the times derived from it would not be dates any more
(rows from before the check-in window existed, or written by hand), is
skipped and counted, never parsed into an actual: one such row once broke a
plan's control room for good. Voided check-ins are dropped (:meth:`ActualsCache.voided`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from paradeops.live import Actual
from paradeops.timing.schedule import Schedule


class Row(NamedTuple):
    """A stored check-in, as far as the control room needs it (strings as stored)."""

    id: str
    received_at: str
    unit: str
    checkpoint: str
    part: str
    at: str


Key = tuple[str, str, str]
logger = logging.getLogger(__name__)
#: Actuals further than this from the parade's reference are skipped [s]: twice
#: the reach of a plan's own check-in window, and far inside the calendar's ends.
MAX_OFFSET_S = 2 * 366 * 86400.0
_PARTS = ("head", "tail")


def point(a: Actual, pos: dict[str, float], length: dict[str, float]) -> dict[str, Any]:
    """How the control room's graph draws one actual (kept with it: built once)."""
    return {
        "unit": a.unit,
        "part": a.part,
        "t": round(a.t, 1),
        # Where the head was: the graph plots heads and tails as one band.
        "x": pos.get(a.checkpoint, 0.0),
        "head_x": pos.get(a.checkpoint, 0.0)
        + (length.get(a.unit, 0.0) if a.part == "tail" else 0.0),
    }


@dataclass
class _Plan:
    revision: int
    reference: dt.datetime
    pos: dict[str, float]
    length: dict[str, float]
    #: Rows handed over while the full read runs (merged, without duplicates, after it).
    pending: list[Row] | None = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    order: list[tuple[str, str]] = field(default_factory=list)  # (received_at, id), sorted
    actuals: list[Actual] = field(default_factory=list)
    #: :func:`point` of each actual, in the same order.
    points: list[dict[str, Any]] = field(default_factory=list)
    #: Per key: where it was first reported (received_at, id) and its earliest report.
    first: dict[Key, tuple[tuple[str, str], Actual]] = field(default_factory=dict)

    #: Check-ins voided (whether or not their row was seen yet): never added.
    voided: set[str] = field(default_factory=set)
    #: Rows skipped as unusable, by id (counted and shown, never projected).
    skipped: set[str] = field(default_factory=set)

    def actual(self, r: Row) -> Actual | None:
        """The row as an actual; None if its time or part cannot be used."""
        if r.part not in _PARTS:
            return None
        try:
            t = (dt.datetime.fromisoformat(r.at) - self.reference).total_seconds()
        except (ValueError, TypeError, OverflowError):  # not ISO, no offset, out of range
            return None
        if not -MAX_OFFSET_S <= t <= MAX_OFFSET_S:
            return None
        return Actual(r.unit, r.checkpoint, r.part, t)  # type: ignore[arg-type]

    def add(self, r: Row) -> None:
        if r.id in self.ids:  # already read from the database (or a retry)
            return
        self.ids.add(r.id)
        if r.id in self.voided:
            return
        a, k = self.actual(r), (r.received_at, r.id)
        if a is None:
            self.skipped.add(r.id)
            return
        self._reduce(a, k)
        if not self.order or k > self.order[-1]:
            self.order.append(k)
            self.actuals.append(a)
            self.points.append(point(a, self.pos, self.length))
            return
        # Committed after a later-received one (two writers): into its place.
        i = bisect.bisect(self.order, k)
        self.order.insert(i, k)
        self.actuals.insert(i, a)
        self.points.insert(i, point(a, self.pos, self.length))

    def void(self, checkin_id: str) -> None:
        """Drop a voided check-in (and keep it out if its row comes later)."""
        self.voided.add(checkin_id)
        self.skipped.discard(checkin_id)
        i = next((i for i, (_, cid) in enumerate(self.order) if cid == checkin_id), None)
        if i is None:
            return
        del self.order[i]
        a = self.actuals.pop(i)
        del self.points[i]
        key = (a.unit, a.checkpoint, a.part)
        if key in self.first:  # the first report of its key is found again without it
            del self.first[key]
            for k, other in zip(self.order, self.actuals, strict=True):
                if (other.unit, other.checkpoint, other.part) == key:
                    self._reduce(other, k)

    def view(self) -> View:
        first = tuple(a for _, a in sorted(self.first.values()))  # a few per unit: cheap
        return View(tuple(self.actuals), first, tuple(self.points), tuple(sorted(self.skipped)))

    def _reduce(self, a: Actual, k: tuple[str, str]) -> None:
        """As ``_first_seen``: the earliest report per key, in order of first report.

        (Equal times of one key are equal actuals, so which of them is kept is moot.)
        """
        if a.checkpoint not in self.pos:
            return
        key = (a.unit, a.checkpoint, a.part)
        had = self.first.get(key)
        if had is None:
            self.first[key] = (k, a)
        else:
            self.first[key] = (min(had[0], k), a if a.t < had[1].t else had[1])


@dataclass(frozen=True)
class View:
    """One plan's actuals at one moment (immutable copies)."""

    actuals: tuple[Actual, ...]
    #: The first report per (unit, checkpoint, part): what the projection uses.
    first: tuple[Actual, ...]
    points: tuple[dict[str, Any], ...]
    #: Ids of stored check-ins left out because their time or part cannot be used.
    skipped: tuple[str, ...] = ()


class ActualsCache:
    """Per plan: its parsed actuals for the latest revision seen. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plans: dict[int, _Plan] = {}

    def committed(self, plan_id: int, rows: Iterable[Row]) -> None:
        """Called by the writer after the commit that inserted ``rows``."""
        with self._lock:
            p = self._plans.get(plan_id)
            if p is None:  # nobody watches: the first read will find them
                return
            if p.pending is not None:
                p.pending.extend(rows)
            else:
                for r in rows:
                    p.add(r)

    def voided(self, plan_id: int, ids: Iterable[str]) -> None:
        """Called after the commit that voided ``ids``: the control room drops them."""
        with self._lock:
            p = self._plans.get(plan_id)
            if p is None:  # nobody watches: the first read leaves them out
                return
            for checkin_id in ids:
                p.void(checkin_id)

    def view(
        self, read: Callable[[], Iterable[Any]], plan_id: int, revision: int, s: Schedule
    ) -> View:
        """The plan's actuals: from memory, or ``read()`` in full (cold, or a new revision).

        ``read`` returns the plan's stored check-ins (rows with the columns of :class:`Row`).
        """
        with self._lock:
            p = self._plans.get(plan_id)
            if p is not None and p.revision == revision and p.pending is None:
                return p.view()
            # Registered before the read: what commits meanwhile is kept in ``pending``.
            p = _Plan(
                revision,
                s.reference,
                {c.id: c.at_m for c in s.checkpoints},
                {u.id: u.length_m for u in s.units},
            )
            self._plans[plan_id] = p
        try:
            rows = [Row(r.id, r.received_at, r.unit, r.checkpoint, r.part, r.at) for r in read()]
        except BaseException:
            with self._lock:
                if self._plans.get(plan_id) is p:
                    del self._plans[plan_id]
            raise
        rows.sort(key=lambda r: (r.received_at, r.id))  # as read; the bisect relies on it
        with self._lock:
            for r in rows:
                p.add(r)
            for r in p.pending or ():
                p.add(r)
            p.pending = None
            if p.skipped:
                logger.warning(
                    "plan %d: %d stored check-in(s) with an unusable time or part skipped",
                    plan_id,
                    len(p.skipped),
                )
            return p.view()

    def forget(self, plan_id: int) -> None:
        with self._lock:
            self._plans.pop(plan_id, None)
