"""From a plan to arrays of agents: who is where, follows whom, and how.

Every vehicle, every float and every rank of a foot, band or mounted
formation is an agent. Agents are stored in order of march, so an agent's
leader always has a smaller index. Units are contiguous slices of agents.

- The **first agent of a unit** (its first rank, first vehicle, the float)
  drives with the IDM parameters of its kind at the unit's (sampled) march
  speed, keeping at least ``min_gap_m`` to the tail of the unit ahead.
- **Vehicles and ranks behind the first** keep the planned distance
  (``spacing_m``, ``rank_spacing_m``) at every speed with the rank-keeping
  model of :mod:`paradeops.simulation.idm`, as the timing engine's rigid
  units do: a time gap would close the column up whenever it slows (a
  speed limit, a unit ahead) and the engine and simulation would disagree.
  Vehicles may go :data:`FOLLOWER_SPEED_RATIO` times the unit's speed to
  close up and speed up at their kind's ``accel_ms2``; vehicles and ranks
  slow down at up to the head's ``decel_ms2``, so they keep up when it brakes.
- A speed limit holds a whole unit while any part of its planned road space
  is inside the stretch.

For each ground unit a **ghost** is added right after it (unit ``2j + 1``
for real unit ``2j``): a copy of its first agent with the road ahead empty,
stepping off at the same moment.
Its time at the reviewing stand is the unit's free-flow time in that run; a
unit is *held* when it arrives more than ``held_threshold_s`` after its ghost.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from paradeops.model.plan import (
    AircraftUnit,
    BandUnit,
    FootUnit,
    MountedUnit,
    Plan,
    Unit,
    VehicleUnit,
)
from paradeops.model.simulation_spec import IdmParams, SimulationSpec
from paradeops.model.units import length_m, speed_ms
from paradeops.simulation.kernel_data import (
    MODEL_IDM,
    MODEL_IIDM,
    MODEL_RANK,
    RULE_GAP,
    RULE_GHOST,
    RULE_TIME,
    Agents,
    Route,
    Units,
)
from paradeops.timing.schedule import Schedule

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Desired speed of a vehicle behind the first of its unit, relative to the unit's.
FOLLOWER_SPEED_RATIO = 1.2
#: A unit is retired (frozen, no longer a leader) this far past the last checkpoint [m]:
#: far enough that the improved IDM of the next unit's head no longer feels it.
RETIRE_BEYOND_M = 50.0
#: The same for the plain-IDM validation column, whose followers feel a leader further off.
COLUMN_RETIRE_BEYOND_M = 300.0
#: Where a unit's first agent waits before stepping off: just behind the start point.
START_X = -1e-6


@dataclass(frozen=True)
class Layout:
    """The agents, units and probes of one simulation (identical in every run)."""

    # agents
    a_unit: IntArray
    a_leader: IntArray
    a_len: FloatArray
    a_model: IntArray
    a_ratio: FloatArray
    a_accel: FloatArray
    a_decel: FloatArray
    a_tau: FloatArray
    a_delta: FloatArray
    a_s0: FloatArray
    a_x0: FloatArray
    # units: real ground units first (in order of march), then their ghosts
    u_first: IntArray
    u_last: IntArray
    u_rule: IntArray
    u_prev: IntArray
    u_next: IntArray
    u_gap: FloatArray
    u_ghost: IntArray
    u_stop_x: FloatArray
    u_retire_x: FloatArray
    #: Planned road space [m]: a speed limit holds the whole unit, from when its
    #: head enters the stretch until a tail this far behind leaves it (as in
    #: the engine); a ghost has its unit's.
    u_len: FloatArray
    #: Once its tail passes this point (the release point) a unit has
    #: dispersed and holds no one, as in the engine; inf for the plain column.
    u_free_x: FloatArray
    u_t_plan: FloatArray  # planned step-off [s] (RULE_TIME)
    u_speed: FloatArray  # planned march speed [m/s]
    u_stop_s: FloatArray  # planned show-stop duration [s] (0 if none)
    real: IntArray  # unit index of each real ground unit, in order of march
    ghost: IntArray  # unit index of each one's ghost (empty for a plain column)
    # route
    lim_a: FloatArray
    lim_b: FloatArray
    lim_v: FloatArray
    probes: FloatArray  # positions where passing times are recorded, ascending
    p_stand: int  # index of the reviewing stand among the probes
    cp_probe: IntArray  # probe index of each checkpoint
    unit_ids: tuple[str, ...]  # the real ground units

    @property
    def n_agents(self) -> int:
        return int(self.a_unit.shape[0])

    @property
    def n_units(self) -> int:
        return int(self.u_first.shape[0])

    @property
    def n_real(self) -> int:
        return len(self.unit_ids)

    def agents(self) -> Agents:
        """The kernel's per-agent group."""
        return Agents(
            unit=self.a_unit,
            leader=self.a_leader,
            length=self.a_len,
            model=self.a_model,
            speed_ratio=self.a_ratio,
            accel=self.a_accel,
            decel=self.a_decel,
            tau=self.a_tau,
            delta=self.a_delta,
            s0=self.a_s0,
            inv_2sqrt_ab=0.5 / np.sqrt(self.a_accel * self.a_decel),
        )

    def units(self) -> Units:
        """The kernel's per-unit group."""
        return Units(
            first=self.u_first,
            last=self.u_last,
            rule=self.u_rule,
            prev=self.u_prev,
            next=self.u_next,
            gap=self.u_gap,
            ghost=self.u_ghost,
            stop_x=self.u_stop_x,
            retire_x=self.u_retire_x,
            length=self.u_len,
            free_x=self.u_free_x,
        )

    def route(self) -> Route:
        """The kernel's speed limits and probes."""
        return Route(
            limit_from=self.lim_a,
            limit_to=self.lim_b,
            limit_speed=self.lim_v,
            probes=self.probes,
            stand=self.p_stand,
        )


@dataclass
class _Builder:
    unit: list[int]
    leader: list[int]
    length: list[float]
    model: list[int]
    ratio: list[float]
    accel: list[float]
    decel: list[float]
    tau: list[float]
    delta: list[float]
    s0: list[float]
    x0: list[float]

    def add(
        self,
        unit: int,
        leader: int,
        length: float,
        model: int,
        ratio: float,
        p: tuple[float, float, float, float, float],
        x0: float,
    ) -> int:
        self.unit.append(unit)
        self.leader.append(leader)
        self.length.append(length)
        self.model.append(model)
        self.ratio.append(ratio)
        self.accel.append(p[0])
        self.decel.append(p[1])
        self.tau.append(p[2])
        self.delta.append(p[3])
        self.s0.append(p[4])
        self.x0.append(x0)
        return len(self.unit) - 1


def _idm(spec: SimulationSpec, unit: Unit) -> IdmParams:
    return getattr(spec.idm, unit.kind)  # type: ignore[no-any-return]


@dataclass
class _UnitRows:
    """Per unit (real units and their ghosts, interleaved), as they are built."""

    first: list[int]
    last: list[int]
    rule: list[int]
    gap: list[float]
    t_plan: list[float]
    stop_x: list[float]
    stop_s: list[float]
    speed: list[float]
    length: list[float]


def _followers(b: _Builder, spec: SimulationSpec, unit: Unit, u: int, idx: int) -> int:
    """Add the ranks or vehicles behind a unit's first agent ``idx``; returns its last."""
    p = _idm(spec, unit)
    if isinstance(unit, FootUnit | BandUnit | MountedUnit):
        r = spec.ranks
        # Ranks slow down as quickly as the first rank brakes (for a show
        # stop, a speed limit), so the formation keeps its dress.
        rank = (r.accel_ms2, max(r.accel_ms2, p.decel_ms2), r.relax_s, 4.0, unit.rank_spacing_m)
        for k in range(1, unit.ranks):
            # Ranks are points but the last: its depth ends the road space.
            depth = unit.rank_depth_m if k == unit.ranks - 1 else 0.0
            x0 = START_X - k * unit.rank_spacing_m
            idx = b.add(u, idx, depth, MODEL_RANK, r.max_pace_factor, rank, x0)
    elif isinstance(unit, VehicleUnit):
        # A column keeps its planned spacing at every speed, as ranks do.
        accel, relax = p.accel_ms2, spec.ranks.relax_s
        follow = (accel, max(accel, p.decel_ms2), relax, 4.0, unit.spacing_m)
        each = _element_length(unit)
        for k in range(1, unit.count):
            x0 = START_X - k * (each + unit.spacing_m)
            idx = b.add(u, idx, each, MODEL_RANK, FOLLOWER_SPEED_RATIO, follow, x0)
    return idx


def _add_unit(  # noqa: PLR0913 - the unit, where it goes, and what it needs from the plan
    b: _Builder, rows: _UnitRows, plan: Plan, spec: SimulationSpec, unit: Unit, j: int,
    prev_tail: int, step_off: float, stop_at: float,
) -> int:  # fmt: skip
    """Real unit ``j`` (unit ``2j``) and its ghost (``2j + 1``); returns its tail agent."""
    u = 2 * j
    p = _idm(spec, unit)
    s0 = plan.defaults.min_gap_m if p.min_gap_m is None else p.min_gap_m
    head = (p.accel_ms2, p.decel_ms2, p.tau_s, p.delta, s0)
    model = MODEL_IIDM if spec.unit_following == "iidm" else MODEL_IDM
    first = b.add(u, prev_tail, _element_length(unit), model, 1.0, head, START_X)
    last = _followers(b, spec, unit, u, first)
    ghost = b.add(u + 1, -1, _element_length(unit), model, 1.0, head, START_X)
    explicit = j == 0 or unit.step_off is not None or unit.target is not None
    rows.first += [first, ghost]
    rows.last += [last, ghost]
    rows.rule += [RULE_TIME if explicit else RULE_GAP, RULE_GHOST]
    rows.gap += [plan.defaults.gap_m if unit.gap_m is None else unit.gap_m, 0.0]
    rows.t_plan += [step_off] * 2
    rows.speed += [speed_ms(unit)] * 2
    rows.length += [length_m(unit)] * 2
    stop = unit.show_stop
    rows.stop_x += [stop_at] * 2
    rows.stop_s += [0.0 if stop is None else stop.duration_s] * 2
    return last


def build(plan: Plan, sched: Schedule, spec: SimulationSpec | None = None) -> Layout:
    """The agents of ``plan``'s ground units; ``sched`` gives the planned step-offs."""
    spec = spec or plan.simulation
    ground = [u for u in plan.units if not isinstance(u, AircraftUnit)]
    planned = {u.id: u for u in sched.units}
    pos = {c.id: c.at_m for c in sched.checkpoints}
    b = _Builder([], [], [], [], [], [], [], [], [], [], [])
    rows = _UnitRows([], [], [], [], [], [], [], [], [])
    tail = -1
    for j, unit in enumerate(ground):
        stop_at = math.inf if unit.show_stop is None else pos[unit.show_stop.at]
        tail = _add_unit(b, rows, plan, spec, unit, j, tail, planned[unit.id].step_off, stop_at)
    return _layout(b, rows, sched, tuple(u.id for u in ground))


def _layout(b: _Builder, rows: _UnitRows, sched: Schedule, ids: tuple[str, ...]) -> Layout:
    """The arrays of the agents and units built, with the route's limits and probes."""
    n = len(ids)
    j = np.arange(n)
    probes, p_stand, cp_probe = _probes(sched)
    last_cp = sched.checkpoints[-1].at_m
    lim = np.array(sched.speed_limits, dtype=float).reshape(-1, 3)
    f64, i64 = np.float64, np.int64
    return Layout(
        a_unit=np.array(b.unit, i64),
        a_leader=np.array(b.leader, i64),
        a_len=np.array(b.length, f64),
        a_model=np.array(b.model, i64),
        a_ratio=np.array(b.ratio, f64),
        a_accel=np.array(b.accel, f64),
        a_decel=np.array(b.decel, f64),
        a_tau=np.array(b.tau, f64),
        a_delta=np.array(b.delta, f64),
        a_s0=np.array(b.s0, f64),
        a_x0=np.array(b.x0, f64),
        u_first=np.array(rows.first, i64),
        u_last=np.array(rows.last, i64),
        u_rule=np.array(rows.rule, i64),
        u_prev=_interleave(np.where(j > 0, 2 * j - 2, -1), -1),
        u_next=_interleave(np.where(j + 1 < n, 2 * j + 2, -1), -1),
        u_gap=np.array(rows.gap, f64),
        u_ghost=_interleave(2 * j + 1, -1),
        u_stop_x=np.array(rows.stop_x, f64),
        u_retire_x=np.full(2 * n, last_cp + RETIRE_BEYOND_M),
        u_len=np.array(rows.length, f64),
        u_free_x=np.full(2 * n, last_cp),
        u_t_plan=np.array(rows.t_plan, f64),
        u_speed=np.array(rows.speed, f64),
        u_stop_s=np.array(rows.stop_s, f64),
        real=(2 * j).astype(i64),
        ghost=(2 * j + 1).astype(i64),
        lim_a=np.ascontiguousarray(lim[:, 0]),
        lim_b=np.ascontiguousarray(lim[:, 1]),
        lim_v=np.ascontiguousarray(lim[:, 2]),
        probes=probes,
        p_stand=p_stand,
        cp_probe=cp_probe,
        unit_ids=ids,
    )


def _interleave(a: IntArray, fill: int) -> IntArray:
    """``a`` at the real units' places (even), ``fill`` at the ghosts' (odd)."""
    out = np.full(2 * len(a), fill, np.int64)
    out[0::2] = a
    return out


def _element_length(unit: Unit) -> float:
    """Length of a unit's first agent: a vehicle, the float; the first rank is a
    point (0), unless it is the only one: then it is ``rank_depth_m`` deep."""
    if isinstance(unit, VehicleUnit):
        return (length_m(unit) - (unit.count - 1) * unit.spacing_m) / unit.count
    if isinstance(unit, FootUnit | BandUnit | MountedUnit):
        return unit.rank_depth_m if unit.ranks == 1 else 0.0
    return length_m(unit)


def _probes(sched: Schedule, n_grid: int = 60) -> tuple[FloatArray, int, IntArray]:
    """Checkpoints plus an even grid (for the fan chart), merged and ascending."""
    at = np.array([c.at_m for c in sched.checkpoints])
    grid = np.linspace(at[0], at[-1], n_grid)
    probes = np.unique(np.concatenate((at, grid)))
    # Drop grid points within 1 cm of a checkpoint so checkpoints map exactly.
    keep = np.array([p in at or np.min(np.abs(at - p)) > 0.01 for p in probes])
    probes = probes[keep]
    cp_probe = np.searchsorted(probes, at).astype(np.int64)
    stand = next(i for i, c in enumerate(sched.checkpoints) if c.reviewing)
    return probes, int(cp_probe[stand]), cp_probe


def column(
    n: int,
    vehicle_length: float,
    gap: float,
    speed: float,
    idm: tuple[float, float, float, float, float],
    probes: Sequence[float],
    stand: int = 0,
) -> Layout:
    """A plain single-lane column of ``n`` identical IDM vehicles, for validation.

    Every vehicle is its own unit (so each one's passing times are recorded),
    starts at rest ``gap`` metres behind the one ahead (front of the first at
    0) and is released at t = 0; ``idm`` is ``(accel, decel, tau, delta, s0)``
    and every vehicle wants ``speed``. No ghosts, no limits, no stops.
    """
    idx = np.arange(n)
    f64 = np.float64
    probe_arr = np.asarray(probes, f64)
    nothing = np.zeros(0, f64)
    return Layout(
        a_unit=idx.astype(np.int64),
        a_leader=(idx - 1).astype(np.int64),
        a_len=np.full(n, vehicle_length),
        a_model=np.full(n, MODEL_IDM, np.int64),
        a_ratio=np.ones(n),
        a_accel=np.full(n, idm[0]),
        a_decel=np.full(n, idm[1]),
        a_tau=np.full(n, idm[2]),
        a_delta=np.full(n, idm[3]),
        a_s0=np.full(n, idm[4]),
        a_x0=(-idx * (vehicle_length + gap)).astype(f64),
        u_first=idx.astype(np.int64),
        u_last=idx.astype(np.int64),
        u_rule=np.full(n, RULE_TIME, np.int64),
        u_prev=(idx - 1).astype(np.int64),
        u_next=np.where(idx + 1 < n, idx + 1, -1).astype(np.int64),
        u_gap=np.zeros(n),
        u_ghost=np.full(n, -1, np.int64),
        u_stop_x=np.full(n, np.inf),
        u_retire_x=np.full(n, probe_arr[-1] + COLUMN_RETIRE_BEYOND_M),
        u_len=np.full(n, vehicle_length),
        u_free_x=np.full(n, np.inf),
        u_t_plan=np.zeros(n),
        u_speed=np.full(n, speed),
        u_stop_s=np.zeros(n),
        real=idx.astype(np.int64),
        ghost=np.zeros(0, np.int64),
        lim_a=nothing,
        lim_b=nothing.copy(),
        lim_v=nothing.copy(),
        probes=probe_arr,
        p_stand=stand,
        cp_probe=np.arange(len(probe_arr), dtype=np.int64),
        unit_ids=tuple(f"v{i}" for i in range(n)),
    )
