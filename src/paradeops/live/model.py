"""Value objects of live operations. Times are seconds from the schedule's reference."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from paradeops.timing.schedule import Trajectory

Part = Literal["head", "tail"]
UnitState = Literal["waiting", "marching", "passed", "overhead"]
AlertKind = Literal["late", "gap", "window"]


@dataclass(frozen=True)
class Actual:
    """A marshal saw ``part`` of ``unit`` pass ``checkpoint`` at ``t`` [s from reference]."""

    unit: str
    checkpoint: str
    part: Part
    t: float


@dataclass(frozen=True)
class Thresholds:
    """When the control room is alerted."""

    #: A unit later than this at its next checkpoint [s].
    late_s: float = 60.0
    #: A gap wider than this opening in front of the reviewing stand [m]; None: no alert.
    max_gap_m: float | None = None
    #: The last tail projected to pass the stand less than this before window_end [s].
    window_margin_s: float = 120.0


@dataclass(frozen=True)
class ProjectedPass:
    """Head and tail at one checkpoint: observed where reported, else projected."""

    checkpoint: str
    head: float
    tail: float
    planned_head: float
    planned_tail: float
    head_observed: bool
    tail_observed: bool
    #: The head (tail) has not reached this checkpoint yet, by the latest actual.
    head_ahead: bool
    tail_ahead: bool


@dataclass(frozen=True)
class UnitStatus:
    id: str
    name: str
    kind: str
    state: UnitState
    #: How late the unit is now [s]: at its next checkpoint ahead, else at its last actual.
    delay_s: float
    passes: tuple[ProjectedPass, ...]
    #: The projected head trajectory (None for aircraft), for the live graph.
    trajectory: Trajectory | None
    length_m: float
    last: Actual | None = None
    #: Held by an incident until this time [s] (after ``now``); None if not held.
    held_until: float | None = None

    def at(self, checkpoint: str) -> ProjectedPass | None:
        return next((p for p in self.passes if p.checkpoint == checkpoint), None)


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    severity: Literal["warning", "error"]
    unit: str | None
    checkpoint: str | None
    message: str
    #: Seconds late, metres of gap, seconds past the window.
    amount: float


@dataclass(frozen=True)
class LiveStatus:
    now: float
    units: tuple[UnitStatus, ...]
    alerts: tuple[Alert, ...]
    #: Projected last tail at the reviewing stand [s].
    reviewing_last_tail: float | None
