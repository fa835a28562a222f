"""What the timing engine returns: plain, immutable values.

Times are seconds from the plan's reference time (``parade.start`` on
``parade.date`` in ``parade.timezone``); :attr:`Schedule.reference` turns them
into clock times at the edges.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    import pandas as pd

FindingKind = Literal["catch_up", "gap", "window", "flypast"]
Severity = Literal["error", "warning"]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Trajectory:
    """When a unit's head reaches each position: piecewise linear in position.

    ``x`` [m] is strictly increasing from 0 (the start point); between two
    breakpoints the time runs linearly from ``t_right[j]`` to ``t_left[j+1]``.
    Where ``t_left < t_right`` the head stands still at ``x`` (a show stop or
    a hold): it arrives at ``t_left`` and leaves at ``t_right``.
    """

    x: FloatArray
    t_left: FloatArray
    t_right: FloatArray

    def arrive(self, pos: npt.ArrayLike) -> FloatArray:
        """Time the head first reaches ``pos`` [s]."""
        return _evaluate(self, np.asarray(pos, dtype=float), left=True)

    def leave(self, pos: npt.ArrayLike) -> FloatArray:
        """Time the head leaves ``pos`` (after any stop there) [s]."""
        return _evaluate(self, np.asarray(pos, dtype=float), left=False)

    def position(self, t: npt.ArrayLike) -> FloatArray:
        """Head position at time(s) ``t`` [m]; before step-off, 0; clamped at the end."""
        times = np.empty(2 * len(self.x))
        times[0::2] = self.t_left
        times[1::2] = self.t_right
        xs = np.repeat(self.x, 2)
        return np.asarray(np.interp(np.asarray(t, dtype=float), times, xs), dtype=float)


def _evaluate(tr: Trajectory, q: FloatArray, *, left: bool) -> FloatArray:
    x, tl, tr_ = tr.x, tr.t_left, tr.t_right
    j = np.clip(np.searchsorted(x, q, side="right") - 1, 0, len(x) - 2)
    x0, x1 = x[j], x[j + 1]
    frac = np.clip((q - x0) / (x1 - x0), 0.0, 1.0)
    inside = tr_[j] + frac * (tl[j + 1] - tr_[j])
    beyond = q > x[-1]
    if beyond.any():
        # Past the last breakpoint the head keeps its last pace.
        slope = (tl[-1] - tr_[-2]) / (x[-1] - x[-2])
        inside = np.where(beyond, tr_[-1] + (q - x[-1]) * slope, inside)
    # On a breakpoint (the last one included) arriving and leaving may differ.
    on_x0 = np.isclose(q, x0, rtol=0.0, atol=1e-9)
    on_x1 = np.isclose(q, x1, rtol=0.0, atol=1e-9)
    at0, at1 = (tl[j], tl[j + 1]) if left else (tr_[j], tr_[j + 1])
    return np.where(on_x0, at0, np.where(on_x1, at1, inside))


class Pass(NamedTuple):
    """A unit's head and tail passing one checkpoint [s from reference]."""

    checkpoint: str
    head: float
    tail: float
    #: With a show stop here, when the head moves on again.
    head_leaves: float | None = None


@dataclass(frozen=True)
class UnitSchedule:
    """One unit's timing; its passes are kept as arrays, :attr:`passes` made on demand.

    ``heads``, ``tails`` and ``head_leaves`` hold one time per checkpoint of
    ``checkpoint_ids`` [s from reference]; ``head_leaves`` is NaN where the
    head does not stop. Arrays, not :class:`Pass` objects: a 10,000-unit
    schedule has 100,000 passes, and named tuples are objects the garbage
    collector tracks (and walks) until they die, where arrays are not. The
    trajectory likewise: an array until asked for.
    """

    id: str
    name: str
    kind: str
    length_m: float
    speed_ms: float
    step_off: float
    checkpoint_ids: tuple[str, ...]
    heads: FloatArray
    tails: FloatArray
    head_leaves: FloatArray
    #: Seconds lost to being held behind the unit ahead, at the last checkpoint.
    held_s: float = 0.0
    #: The head's breakpoints, one per column: position [m], arrival and
    #: departure [s] (the rows of :class:`Trajectory`); None for aircraft.
    breakpoints: FloatArray | None = None
    #: Where [m] and when [s] the head first closes up on the unit ahead.
    hold_from_m: float | None = None
    hold_time: float | None = None
    #: Road left empty in front of the reviewing stand when this unit's head
    #: reaches it [m]: up to the unit ahead's tail, or up to the release point
    #: once that unit has dispersed there (road past it is not the route's).
    gap_ahead_m: float | None = None
    description: str | None = None
    debut: bool = False

    @property
    def speed_kmh(self) -> float:
        return self.speed_ms * 3.6

    @cached_property
    def trajectory(self) -> Trajectory | None:
        """When the head reaches each position (made on first use); None for aircraft."""
        if self.breakpoints is None:
            return None
        x, arrive, leave = self.breakpoints
        return Trajectory(x, arrive, leave)

    @cached_property
    def passes(self) -> tuple[Pass, ...]:
        """Head and tail at every checkpoint, in order of the route (made on first use)."""
        leaves = [None if math.isnan(t) else t for t in self.head_leaves.tolist()]
        rows = zip(
            self.checkpoint_ids, self.heads.tolist(), self.tails.tolist(), leaves, strict=True
        )
        return tuple(Pass(*row) for row in rows)

    def at(self, checkpoint: str) -> Pass | None:
        """The pass of ``checkpoint``, or None if the unit does not pass it."""
        try:
            k = self.checkpoint_ids.index(checkpoint)
        except ValueError:
            return None
        # One pass, without making (and keeping) all of them.
        leaves = float(self.head_leaves[k])
        return Pass(
            self.checkpoint_ids[k],
            float(self.heads[k]),
            float(self.tails[k]),
            None if math.isnan(leaves) else leaves,
        )


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    severity: Severity
    unit: str
    checkpoint: str | None
    message: str
    #: When it happens [s from reference], for marking it on the graph.
    time: float | None = None
    #: Where it happens [m from the start point].
    position_m: float | None = None
    #: Its size: seconds held, metres of gap, seconds late.
    amount: float | None = None


@dataclass(frozen=True)
class CheckpointInfo:
    id: str
    name: str
    at_m: float  # from the start point (the first checkpoint is at 0)
    reviewing: bool


@dataclass(frozen=True)
class Summary:
    first_head: float
    last_tail: float
    duration_s: float
    reviewing_first_head: float
    reviewing_last_tail: float


@dataclass(frozen=True)
class Schedule:
    parade: str
    reference: dt.datetime  # aware: parade.start on parade.date in parade.timezone
    checkpoints: tuple[CheckpointInfo, ...]
    units: tuple[UnitSchedule, ...]
    findings: tuple[Finding, ...]
    summary: Summary
    window_end: float | None = None
    speed_limits: tuple[tuple[float, float, float], ...] = field(default=())  # (from_m, to_m, m/s)
    #: The plan's name for the window (parade.window_name), for charts.
    window_name: str = "window"

    def clock(self, seconds: float) -> dt.datetime:
        """Wall-clock time ``seconds`` after the reference, in the parade's zone.

        The sum is done in UTC: local arithmetic would be an hour off across
        a daylight-saving change.
        """
        utc = self.reference.astimezone(dt.UTC) + dt.timedelta(seconds=seconds)
        return utc.astimezone(self.reference.tzinfo)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    @property
    def reviewing(self) -> CheckpointInfo:
        return next(c for c in self.checkpoints if c.reviewing)

    def to_frame(self) -> pd.DataFrame:
        """One row per unit × checkpoint pass, clock times in the parade's zone (needs pandas).

        The columns are described in :func:`paradeops.frames.schedule_frame`.
        """
        from paradeops.frames import schedule_frame

        return schedule_frame(self)
