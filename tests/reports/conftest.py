"""Schedules built by hand for the renderer tests, independent of the engine.

``build_schedule`` is a small stand-in for the timing engine (free flow,
speed limits, show stops and Newell's car-following on a 1 m grid) so the
fixtures look like real output — bands that never overlap, holds behind slow
floats — without the renderers' tests depending on the engine's progress.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from paradeops.timing.schedule import (
    CheckpointInfo,
    Finding,
    Pass,
    Schedule,
    Summary,
    Trajectory,
    UnitSchedule,
)


@dataclass(frozen=True)
class U:
    id: str
    kind: str
    length_m: float = 0.0
    speed_kmh: float = 0.0
    stop: tuple[str, float] | None = None  # (checkpoint id, seconds)
    debut: bool = False
    name: str | None = None
    over: str | None = None  # aircraft only
    at_s: float = 0.0  # aircraft only: seconds from the reference


def _simplify(x: np.ndarray, tl: np.ndarray, tr: np.ndarray) -> Trajectory:
    """Drop grid points where the head neither stops nor changes pace."""
    keep = np.ones(len(x), dtype=bool)
    slope_in = (tl[1:-1] - tr[:-2]) / (x[1:-1] - x[:-2])
    slope_out = (tl[2:] - tr[1:-1]) / (x[2:] - x[1:-1])
    keep[1:-1] = (tr[1:-1] - tl[1:-1] > 1e-6) | ~np.isclose(slope_in, slope_out, atol=1e-6)
    return Trajectory(x=x[keep], t_left=tl[keep], t_right=tr[keep])


def build_schedule(
    units: Sequence[U],
    checkpoints: Sequence[tuple[str, str, float, bool]],
    *,
    parade: str = "Test parade",
    reference: dt.datetime | None = None,
    limits: Sequence[tuple[str, str, float]] = (),
    window_end: float | None = None,
    window_name: str = "window",
    gap_m: float = 20.0,
    min_gap_m: float = 5.0,
    max_gap_m: float | None = None,
    extra_findings: Sequence[Finding] = (),
) -> Schedule:
    ref = reference or dt.datetime(2025, 5, 9, 10, 0, tzinfo=ZoneInfo("Europe/Moscow"))
    cps = tuple(CheckpointInfo(i, n, a, r) for i, n, a, r in checkpoints)
    at = {c.id: c.at_m for c in cps}
    lim = tuple((at[a], at[b], kmh / 3.6) for a, b, kmh in limits)
    end = cps[-1].at_m
    rev = next(c for c in cps if c.reviewing)
    out: list[UnitSchedule] = []
    findings: list[Finding] = list(extra_findings)
    leader: UnitSchedule | None = None
    for u in units:
        if u.kind == "aircraft":
            assert u.over is not None
            out.append(
                UnitSchedule(
                    u.id,
                    u.name or u.id,
                    u.kind,
                    0.0,
                    0.0,
                    u.at_s,
                    (Pass(u.over, u.at_s, u.at_s),),
                    debut=u.debut,
                )
            )
            continue
        v = u.speed_kmh / 3.6
        x = np.arange(0.0, end + u.length_m + 1.0, 1.0)
        pace = np.full(len(x) - 1, 1 / v)
        mid = (x[:-1] + x[1:]) / 2
        for a, b, vmax in lim:
            pace = np.where((mid >= a) & (mid < b), np.maximum(pace, 1 / vmax), pace)
        f_left = np.concatenate(([0.0], np.cumsum(pace)))
        dwell = np.zeros(len(x))
        if u.stop is not None:
            dwell[int(round(at[u.stop[0]]))] = u.stop[1]
        f_left = f_left + np.concatenate(([0.0], np.cumsum(dwell)[:-1]))
        f_right = f_left + dwell
        if leader is None:
            t0 = 0.0
            tl, tr = f_left, f_right
        else:
            assert leader.trajectory is not None
            t0 = float(leader.trajectory.arrive(leader.length_m + gap_m))
            d = leader.length_m + min_gap_m
            c_left = leader.trajectory.arrive(x + d)
            c_right = leader.trajectory.leave(x + d)
            run = np.maximum.accumulate(np.maximum(t0, c_right - f_right))
            prev = np.concatenate(([t0], run[:-1]))
            tl = f_left + np.maximum(prev, c_left - f_left)
            tr = np.maximum(f_right + run, tl)
        traj = _simplify(x, tl, tr)
        held = float(tl[-1] - (t0 + f_left[-1]))
        passes = []
        for c in cps:
            head = float(traj.arrive(c.at_m))
            leaves = float(traj.leave(c.at_m))
            passes.append(
                Pass(
                    c.id,
                    head,
                    float(traj.arrive(c.at_m + u.length_m)),
                    leaves if leaves - head > 0.5 else None,
                )
            )
        us = UnitSchedule(
            u.id,
            u.name or u.id.replace("-", " ").title(),
            u.kind,
            u.length_m,
            v,
            t0,
            tuple(passes),
            held_s=max(held, 0.0),
            trajectory=traj,
            debut=u.debut,
        )
        if held > 1.0:
            bind = int(np.argmax(tl - (t0 + f_left) > 1.0))
            nxt = next((c.id for c in cps if c.at_m >= x[bind]), cps[-1].id)
            findings.append(
                Finding(
                    "catch_up",
                    "warning",
                    u.id,
                    nxt,
                    f"{u.id} is held {held:.0f} s behind {out[-1].id}",
                    time=float(tl[bind]),
                    position_m=float(x[bind]),
                    amount=held,
                )
            )
        if leader is not None and max_gap_m is not None:
            lp, fp = leader.at(rev.id), us.at(rev.id)
            assert lp is not None and fp is not None
            gap = (fp.head - lp.tail) * v
            if gap > max_gap_m:
                findings.append(
                    Finding(
                        "gap",
                        "warning",
                        u.id,
                        rev.id,
                        f"{gap:.0f} m gap opens before {u.id} at {rev.name}",
                        time=fp.head,
                        position_m=rev.at_m,
                        amount=gap,
                    )
                )
        out.append(us)
        leader = us
    ground = [u for u in out if u.trajectory is not None]
    first_head = ground[0].passes[0].head
    last_tail = max(u.passes[-1].tail for u in ground)
    rev_first = min(p.head for u in ground if (p := u.at(rev.id)) is not None)
    rev_last = max(p.tail for u in ground if (p := u.at(rev.id)) is not None)
    if window_end is not None and rev_last > window_end:
        findings.append(
            Finding(
                "window",
                "error",
                ground[-1].id,
                rev.id,
                f"last tail passes {rev.name} {rev_last - window_end:.0f} s late",
                time=rev_last,
                position_m=rev.at_m,
                amount=rev_last - window_end,
            )
        )
    summary = Summary(first_head, last_tail, last_tail - first_head, rev_first, rev_last)
    return Schedule(
        parade, ref, cps, tuple(out), tuple(findings), summary, window_end, lim, window_name
    )


RED_SQUARE = (
    ("start", "Historical Museum", 0.0, False),
    ("tribune", "Mausoleum tribune", 180.0, True),
    ("release", "Vasilyevsky Spusk", 450.0, False),
)


@pytest.fixture
def small_schedule() -> Schedule:
    """Four ground units, a show stop, a hold, an aircraft and every finding kind."""
    units = [
        U("colour-guard", "foot", 2.8, 5.57, name="Colour guard"),
        U("float-1", "float", 12.0, 4.0, stop=("tribune", 60.0), name="Victory float"),
        U("t90m", "vehicles", 182.6, 20.0, debut=True, name="T-90M main battle tanks"),
        U("band", "band", 30.0, 5.0, name="Massed bands"),
        U("flypast-1", "aircraft", over="tribune", at_s=540.0, name="Su-30SM × 6"),
    ]
    flypast = Finding(
        "flypast",
        "error",
        "flypast-1",
        "tribune",
        "flypast-1 over tribune during float-1's show stop",
        time=540.0,
        position_m=180.0,
    )
    s = build_schedule(
        units,
        RED_SQUARE,
        parade="Victory Day Parade 2025",
        limits=[("tribune", "release", 12.0)],
        window_end=420.0,
        window_name="TV slot",
        max_gap_m=40.0,
        extra_findings=[flypast],
    )
    kinds = {f.kind for f in s.findings}
    assert kinds == {"catch_up", "gap", "window", "flypast"}, kinds
    return s


KIND_SPECS = {  # (length m, speed km/h), carnival pace
    "foot": (20.0, 4.5),
    "band": (35.0, 4.2),
    "mounted": (40.0, 5.0),
    "vehicles": (60.0, 5.0),
    "float": (15.0, 3.6),
}


def many_units(n: int, seed: int = 7) -> list[U]:
    rng = np.random.default_rng(seed)
    kinds = list(KIND_SPECS)
    units: list[U] = []
    for i in range(n):
        kind = kinds[int(rng.integers(len(kinds)))]
        length, speed = KIND_SPECS[kind]
        stop = ("reviewing", 45.0) if kind == "float" and rng.random() < 0.3 else None
        units.append(
            U(
                f"{kind[:3]}-{i + 1:03d}",
                kind,
                length * rng.uniform(0.6, 1.3),
                speed * rng.uniform(0.9, 1.1),
                stop=stop,
                debut=bool(rng.random() < 0.05),
            )
        )
        if i % 50 == 25:
            units.append(U(f"air-{i}", "aircraft", over="reviewing", at_s=float(i * 60)))
    return units


CARNIVAL = (
    ("start", "Assembly (Bridge St)", 0.0, False),
    ("market", "Market Square", 600.0, False),
    ("reviewing", "City Hall stand", 1200.0, True),
    ("park", "Park Gate", 1700.0, False),
    ("end", "Dispersal", 2100.0, False),
)


@pytest.fixture(scope="session")
def big_schedule() -> Schedule:
    """150 ground units of every kind on a 2.1 km carnival route."""
    return build_schedule(
        many_units(150),
        CARNIVAL,
        parade="City Carnival 2025",
        reference=dt.datetime(2025, 7, 5, 14, 0, tzinfo=ZoneInfo("Europe/Berlin")),
        limits=[("market", "reviewing", 4.0)],
        window_end=2.5 * 3600,
        max_gap_m=60.0,
    )
