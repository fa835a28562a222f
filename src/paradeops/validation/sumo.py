"""The same single-lane column in Eclipse SUMO and in ParadeOps' kernel.

An adapter: it writes SUMO's input files to a temporary directory and runs
``netconvert`` and ``sumo`` as subprocesses. SUMO comes from the
``eclipse-sumo`` wheel (a dev dependency: ``pip install -e .[dev]``);
:func:`sumo_available` says whether it is there.

A :class:`Scenario` is a column of identical vehicles starting at rest,
bumper to bumper at ``min_gap_m``, behind a start line (the front of the
first vehicle is at 0), released together at t = 0, on a straight road; both
simulators use the same step, SUMO's ballistic position update and no noise
(``speedFactor`` 1, ``speedDev`` 0, ``sigma`` 0, an action step equal to the
step). Optional parts, one per validation scenario:

- ``model="IIDM"``: the improved IDM of every unit's head in ParadeOps.
  SUMO 1.28 has no ``IIDM``; its ``EIDM`` (Salles et al. 2020) is the
  improved IDM plus extensions, which are switched off here as far as its
  parameters allow (see docs/simulation.md for what remains).
- ``leader_speed``: the first vehicle wants a lower speed (a slow unit ahead).
- ``limit``: a stretch ``[from, to)`` with a lower speed limit. ParadeOps
  holds a vehicle to a limit while any part of it is inside the stretch; SUMO
  applies a lane's speed to the vehicle whose front is on it. SUMO's slow
  lane is therefore one vehicle length longer than the stretch.
- ``stop``: the first vehicle stops with its front at a point for a time
  (SUMO's ``<stop>``, ParadeOps' show stop).

ParadeOps is driven through :func:`paradeops.simulation.agents.column` and
:func:`paradeops.simulation.monte_carlo.run`; the column has no parameter
for the head model, limits or a stop, so those are set on the layout it
returns (see :func:`paradeops_layout`).
"""

from __future__ import annotations

import math
import re
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from paradeops.simulation.agents import Layout, column
from paradeops.simulation.kernel_data import MODEL_IIDM
from paradeops.simulation.monte_carlo import run

FloatArray = npt.NDArray[np.float64]

#: SUMO's hardest braking (its ``emergencyDecel``); the kernel's bound is the same.
EMERGENCY_DECEL = 9.0
#: Road beyond the last point, so no vehicle feels the end of the road while measured.
RUN_OUT_M = 300.0
#: EIDM's gap is ``gap − 0.25 m`` and its s* has ``+ 0.05 m`` (MSCFModel_EIDM::_v).
EIDM_GAP_OFFSET_M = 0.30


@dataclass(frozen=True)
class Limit:
    """A stretch ``[from_m, to_m)`` (from the start line) limited to ``speed`` [m/s]."""

    from_m: float
    to_m: float
    speed: float


@dataclass(frozen=True)
class Stop:
    """The first vehicle stops with its front at ``at_m`` for ``duration_s``."""

    at_m: float
    duration_s: float


@dataclass(frozen=True)
class Scenario:
    """A column of identical vehicles and the points where passing times are taken."""

    name: str = "plain_idm"
    vehicles: int = 100
    length_m: float = 5.0
    min_gap_m: float = 2.5
    accel: float = 1.0
    decel: float = 1.5
    tau: float = 1.0
    delta: float = 4.0
    speed: float = 5.0  # desired speed [m/s] (18 km/h, a parade column)
    route_m: float = 1000.0
    points: tuple[float, ...] = (100.0, 500.0, 1000.0)
    step: float = 0.1
    model: str = "IDM"  # or "IIDM"
    leader_speed: float | None = None
    limit: Limit | None = None
    stop: Stop | None = None

    @property
    def staging(self) -> float:
        """Road before the start line, holding the queue."""
        return self.vehicles * (self.length_m + self.min_gap_m) + 10.0

    @property
    def horizon(self) -> float:
        """Enough time for the last vehicle to pass the last point."""
        slowest = min(
            self.speed,
            self.leader_speed or math.inf,
            self.limit.speed if self.limit else math.inf,
        )
        extra = self.stop.duration_s if self.stop else 0.0
        return (self.staging + self.route_m) / slowest * 1.5 + 120.0 + extra


def scenarios(vehicles: int = 100, step: float = 0.1) -> dict[str, Scenario]:
    """The validation scenarios (docs/simulation.md, 'Validation against SUMO')."""
    base = Scenario(vehicles=vehicles, step=step)
    return {
        "plain_idm": base,
        "improved_idm": replace(base, name="improved_idm", model="IIDM"),
        # The column starts inside the limited stretch: how the two approach a
        # limit differs by design (docs/simulation.md); speed_limit_approach shows it.
        "speed_limit": replace(base, name="speed_limit", limit=Limit(-base.staging, 300.0, 2.5),
                               points=(100.0, 300.0, 600.0, 1000.0)),
        "speed_limit_approach": replace(base, name="speed_limit_approach",
                                        limit=Limit(300.0, 600.0, 2.5),
                                        points=(100.0, 300.0, 450.0, 600.0, 1000.0)),
        "show_stop": replace(base, name="show_stop", stop=Stop(450.0, 30.0),
                             points=(100.0, 400.0, 500.0, 1000.0)),
        "slow_leader": replace(base, name="slow_leader", leader_speed=3.0),
    }  # fmt: skip


# --- SUMO ---------------------------------------------------------------------


def sumo_binary(name: str = "sumo") -> Path:
    """A binary of the ``eclipse-sumo`` wheel (``sumo``, ``netconvert``)."""
    import sumo  # type: ignore[import-not-found,import-untyped,unused-ignore]

    return Path(sumo.SUMO_HOME) / "bin" / name


def sumo_available() -> bool:
    """Whether the ``eclipse-sumo`` wheel and its binaries are installed."""
    try:
        return sumo_binary().exists() and sumo_binary("netconvert").exists()
    except ImportError:
        return False


def _segments(sc: Scenario) -> list[tuple[float, float]]:
    """(length, speed limit) of the edges, from the back of the queue."""
    # SUMO removes a vehicle when its front reaches the end of its route,
    # ParadeOps when its back passes RUN_OUT_M beyond the last point.
    total = sc.staging + sc.route_m + RUN_OUT_M + sc.length_m
    free = sc.speed  # the desired speed: EIDM starts with the lane's speed as v0
    if sc.limit is None:
        return [(total, free)]
    a = max(0.0, sc.staging + sc.limit.from_m)
    # One vehicle length longer: SUMO limits by the front, ParadeOps until the back leaves.
    b = sc.staging + sc.limit.to_m + sc.length_m
    segs = [(a, free), (b - a, sc.limit.speed), (total - b, free)]
    return [seg for seg in segs if seg[0] > 0.0]


def _lane_position(sc: Scenario, x: float) -> tuple[str, float]:
    """SUMO's (lane, position) of ``x`` metres from the back of the queue."""
    start = 0.0
    segs = _segments(sc)
    for k, (length, _) in enumerate(segs):
        if x < start + length or k == len(segs) - 1:
            return f"e{k}_0", x - start
        start += length
    raise AssertionError("unreachable")


def _vtype(sc: Scenario, vid: str, speed: float) -> str:
    common = (
        f'accel="{sc.accel}" decel="{sc.decel}" emergencyDecel="{EMERGENCY_DECEL}" '
        f'apparentDecel="{sc.decel}" tau="{sc.tau}" delta="{sc.delta}" '
        f'length="{sc.length_m}" maxSpeed="{speed}" speedFactor="1" speedDev="0" '
        f'sigma="0" actionStepLength="{sc.step}"'
    )
    if sc.model == "IIDM":
        # EIDM with its extensions off: no reaction time, no estimation errors,
        # no coolness, a jerk and drive-off shaping that never binds.
        # EIDM measures the gap 0.25 m short and adds 0.05 m to s*: a minGap
        # 0.3 m smaller gives the same standstill and equilibrium gaps.
        return (
            f'<vType id="{vid}" carFollowModel="EIDM" {common} '
            f'minGap="{sc.min_gap_m - EIDM_GAP_OFFSET_M}" '
            'treaction="0" '
            'ccoolness="0" sigmaleader="0" sigmagap="0" sigmaerror="0" jerkmax="1000" '
            'epsilonacc="0" taccmax="0.000001" Mflatness="1" Mbegin="-100"/>'
        )
    return f'<vType id="{vid}" carFollowModel="IDM" {common} minGap="{sc.min_gap_m}"/>'


def write_sumo_files(sc: Scenario, d: Path) -> list[str]:
    """Write the network, routes and detectors of ``sc`` into ``d``; SUMO's command."""
    segs = _segments(sc)
    xs = np.concatenate(([0.0], np.cumsum([s[0] for s in segs])))
    (d / "col.nod.xml").write_text(
        "<nodes>"
        + "".join(f'<node id="n{k}" x="{x:.3f}" y="0"/>' for k, x in enumerate(xs))
        + "</nodes>\n"
    )
    (d / "col.edg.xml").write_text(
        "<edges>"
        + "".join(
            f'<edge id="e{k}" from="n{k}" to="n{k + 1}" numLanes="1" speed="{v}" '
            f'length="{length:.6f}"/>'
            for k, (length, v) in enumerate(segs)
        )
        + "</edges>\n"
    )
    subprocess.run(
        [str(sumo_binary("netconvert")), "--node-files", "col.nod.xml",
         "--edge-files", "col.edg.xml", "-o", "col.net.xml", "--no-turnarounds",
         "--no-internal-links"],
        cwd=d, check=True, capture_output=True,
    )  # fmt: skip
    edges = " ".join(f"e{k}" for k in range(len(segs)))
    types = _vtype(sc, "col", sc.speed)
    if sc.leader_speed is not None:
        types += _vtype(sc, "lead", sc.leader_speed)
    vehicles = []
    for i in range(sc.vehicles):
        lane, pos = _lane_position(sc, sc.staging - i * (sc.length_m + sc.min_gap_m))
        vtype = "lead" if i == 0 and sc.leader_speed is not None else "col"
        stop = ""
        if i == 0 and sc.stop is not None:
            s_lane, s_pos = _lane_position(sc, sc.staging + sc.stop.at_m)
            stop = f'<stop lane="{s_lane}" endPos="{s_pos:.6f}" duration="{sc.stop.duration_s}"/>'
        vehicles.append(
            f'<vehicle id="v{i}" type="{vtype}" depart="0" departLane="0" departSpeed="0" '
            f'departPos="{pos:.6f}" route="r">{stop}</vehicle>'
        )
    (d / "col.rou.xml").write_text(
        f'<routes>{types}<route id="r" edges="{edges}"/>{"".join(vehicles)}</routes>\n'
    )
    loops = []
    for k, p in enumerate(sc.points):
        lane, pos = _lane_position(sc, sc.staging + p)
        loops.append(
            f'<instantInductionLoop id="p{k}" lane="{lane}" pos="{pos:.6f}" file="passes.xml"/>'
        )
    (d / "col.add.xml").write_text(f"<additional>{''.join(loops)}</additional>\n")
    return [
        str(sumo_binary()), "-n", "col.net.xml", "-r", "col.rou.xml", "-a", "col.add.xml",
        "--step-length", str(sc.step), "--step-method.ballistic", _ballistic(sc),
        "--end", f"{sc.horizon:.1f}", "--time-to-teleport", "-1", "--precision", "6",
        "--no-step-log", "true", "--duration-log.statistics", "true", "--seed", "1",
        "--default.speeddev", "0",
    ]  # fmt: skip


def _ballistic(sc: Scenario) -> str:
    # EIDM's ballistic branch skips its car-following speed (SUMO marks it
    # "not done/checked yet"): it accelerates at `accel` up to the lane speed.
    return "false" if sc.model == "IIDM" else "true"


@dataclass(frozen=True)
class SumoRun:
    """Pass times ``[vehicles, points]`` and how fast SUMO got them."""

    times: FloatArray
    updates_per_s: float  # SUMO's own UPS (its simulation loop)
    wall_s: float  # the whole process, loading included
    updates: int  # vehicle-updates of the run


def _read_passes(sc: Scenario, path: Path) -> FloatArray:
    times = np.full((sc.vehicles, len(sc.points)), np.nan)
    for el in ET.parse(path).getroot():
        if el.get("state") != "enter":
            continue
        k = int(el.get("id", "p0")[1:])
        i = int(el.get("vehID", "v0")[1:])
        if np.isnan(times[i, k]):
            times[i, k] = float(el.get("time", "nan"))
    return times


def _statistics(out: str) -> tuple[float, int]:
    """SUMO's UPS and its vehicle-updates (UPS × the duration it reports)."""
    ups = re.search(r"UPS:\s*([\d.]+)", out)
    dur = re.search(r"Duration:\s*([\d.]+)s", out)  # the run's, not the trips' mean
    u = float(ups.group(1)) if ups else math.nan
    seconds = float(dur.group(1)) if dur else math.nan
    return u, int(u * seconds) if math.isfinite(u * seconds) else 0


def run_sumo(sc: Scenario) -> SumoRun:
    """Run ``sc`` once in SUMO."""
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        cmd = write_sumo_files(sc, d)
        t = time.perf_counter()
        out = subprocess.run(cmd, cwd=d, check=True, capture_output=True, text=True)
        wall = time.perf_counter() - t
        ups, updates = _statistics(out.stdout + out.stderr)
        return SumoRun(_read_passes(sc, d / "passes.xml"), ups, wall, updates)


def sumo_parallel_updates_per_s(sc: Scenario, processes: int) -> tuple[float, float]:
    """(vehicle-updates per second, wall time) of ``processes`` SUMO runs at once.

    The wall time is the batch's, from the first start to the last exit,
    loading included; each process runs the same column in its own directory.
    """
    with tempfile.TemporaryDirectory() as tmp:
        dirs = [Path(tmp) / f"p{k}" for k in range(processes)]
        cmds = []
        for d in dirs:
            d.mkdir()
            cmds.append(write_sumo_files(sc, d))
        t = time.perf_counter()
        procs = [
            subprocess.Popen(c, cwd=d, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            for c, d in zip(cmds, dirs, strict=True)
        ]
        outs = [p.communicate()[0] for p in procs]
        wall = time.perf_counter() - t
        if any(p.returncode != 0 for p in procs):
            raise RuntimeError("a SUMO process failed")
    updates = sum(_statistics(o)[1] for o in outs)
    return updates / wall, wall


# --- ParadeOps ----------------------------------------------------------------


def paradeops_layout(sc: Scenario) -> Layout:
    """The column of ``sc`` as the kernel's layout (every vehicle its own unit).

    ``column`` builds plain IDM vehicles without limits or stops; the head
    model, the limited stretch and the first vehicle's stop are set on its
    layout (each vehicle is a unit, so its "unit length" is its own length).
    """
    layout = column(
        sc.vehicles, sc.length_m, sc.min_gap_m, sc.speed,
        (sc.accel, sc.decel, sc.tau, sc.delta, sc.min_gap_m), sc.points,
        stand=len(sc.points) - 1,
    )  # fmt: skip
    if sc.model == "IIDM":
        layout = replace(layout, a_model=np.full(sc.vehicles, MODEL_IIDM, np.int64))
    if sc.limit is not None:
        lim = sc.limit
        layout = replace(
            layout,
            lim_a=np.array([lim.from_m]),
            lim_b=np.array([lim.to_m]),
            lim_v=np.array([lim.speed]),
        )
    if sc.stop is not None:
        stop_x = np.full(sc.vehicles, np.inf)
        stop_x[0] = sc.stop.at_m
        stop_s = np.zeros(sc.vehicles)
        stop_s[0] = sc.stop.duration_s
        layout = replace(layout, u_stop_x=stop_x, u_stop_s=stop_s)
    return layout


def paradeops_inputs(sc: Scenario, runs: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``[runs, vehicles]`` desired speeds, step-off delays, stop durations."""
    vdes = np.full((runs, sc.vehicles), sc.speed)
    if sc.leader_speed is not None:
        vdes[:, 0] = sc.leader_speed
    delay = np.zeros((runs, sc.vehicles))
    stop = np.zeros((runs, sc.vehicles))
    if sc.stop is not None:
        stop[:, 0] = sc.stop.duration_s
    return vdes, delay, stop


def run_paradeops(sc: Scenario) -> FloatArray:
    """Pass times ``[vehicles, points]`` of one run of ``sc`` in ParadeOps."""
    layout = paradeops_layout(sc)
    vdes, delay, stop = paradeops_inputs(sc, 1)
    raw = run(layout, vdes, delay, stop, dt=sc.step, t_start=0.0, t_end=sc.horizon)
    times: FloatArray = raw.head_t[0]
    return times


def max_difference(a: FloatArray, b: FloatArray) -> float:
    """The largest |a − b|; inf if either misses a passing."""
    diff = np.abs(a - b)
    return float(np.max(diff)) if np.all(np.isfinite(diff)) else math.inf


def compare(sc: Scenario) -> float:
    """The largest difference [s] between SUMO's and ParadeOps' passing times."""
    return max_difference(run_paradeops(sc), run_sumo(sc).times)
