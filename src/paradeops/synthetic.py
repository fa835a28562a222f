"""Synthetic parades and guest books for the tests and the benchmarks: not user API.

Every generator is pure and deterministic: the same arguments (and seed) give
the same plan, plan text or guest book, built in memory. The tests and the
scripts in ``benchmarks/`` share them from here, so that neither imports the
other and a benchmark measures exactly what a test checks.

* :func:`column_plan` — a plausible column of foot boxes, bands, vehicle
  columns and floats with show stops on evenly spaced checkpoints (the timing
  benchmark's parades of 100 to 10,000 units);
* :func:`carnival_plan` — a city carnival of every ground kind with a
  flypast now and then, on a 2.1 km route (the reports' big fixture);
* :func:`rose_parade_plan` — a Rose-Parade-size parade of floats, bands,
  equestrian units and walking groups on a 9 km route, about 2 h (the
  large-parade simulation benchmark and the shortcut tests);
* :func:`calibration_plan_text` — foot boxes then vehicle groups, with five
  rehearsals, as plan text (the calibration benchmark);
* :func:`rehearsal_runs` — measured times of a plan's rehearsals, as CSV
  text, with the perturbations that made them (the Victory Day example's
  rehearsal files, calibration's tests and benchmark);
* :data:`SMALL_SERVICE_PLAN` — three units on a 600 m route, as plan text
  (the service's tests and benchmarks: the examples may change under them);
* :func:`guest_book` and :func:`tribunes` — delegations of mixed ranks and
  stands of equal rows (the seating benchmark).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from paradeops.model.clock import ClockTime, instant
from paradeops.model.plan import AircraftUnit, BandUnit, FootUnit, MountedUnit, Plan, Target
from paradeops.model.units import speed_ms
from paradeops.protocol.guests import Category, Guest, GuestBook
from paradeops.protocol.tribunes import Row, Section, Tribunes
from paradeops.timing.engine import schedule

# --- plans -------------------------------------------------------------------


def column_plan(n_units: int, n_checkpoints: int = 10, seed: int = 0) -> Plan:
    """A plausible column: foot boxes, bands, vehicle columns and floats with show stops."""
    rng = np.random.default_rng(seed)
    spacing = 300.0
    cps = [
        {"id": f"cp{i}", "at_m": i * spacing, "reviewing": i == n_checkpoints // 2}
        for i in range(n_checkpoints)
    ]
    stand = f"cp{n_checkpoints // 2}"
    units = [_column_unit(i, rng, stand) for i in range(n_units)]
    return Plan.model_validate(
        {
            "version": 1,
            "parade": {"name": f"synthetic {n_units}", "date": "2025-05-09",
                       "timezone": "Europe/Moscow", "start": "10:00:00"},
            "route": {
                "checkpoints": cps,
                "speed_limits": [{"from": "cp3", "to": "cp6", "max_kmh": 12}],
            },
            "defaults": {"gap_m": 20, "min_gap_m": 5, "max_gap_m": 200},
            "units": units,
        }
    )  # fmt: skip


def _column_unit(i: int, rng: np.random.Generator, stand: str) -> dict[str, Any]:
    # The draws are made in this order so that a seed keeps giving the same column.
    r = rng.random()
    u: dict[str, Any] = {"id": f"u{i}"}
    if r < 0.4:
        u |= {"kind": "foot", "ranks": int(rng.integers(6, 14)), "files": 10,
              "rank_spacing_m": 1.4, "cadence_spm": float(rng.uniform(108, 120)),
              "pace_m": 0.75}  # fmt: skip
    elif r < 0.5:
        u |= {"kind": "band", "ranks": 8, "files": 8, "rank_spacing_m": 1.5,
              "cadence_spm": 112, "pace_m": 0.75}  # fmt: skip
    elif r < 0.8:
        u |= {"kind": "vehicles", "count": int(rng.integers(2, 12)),
              "vehicle_length_m": float(rng.uniform(5, 12)), "spacing_m": 20.0,
              "speed_kmh": float(rng.uniform(8, 20))}  # fmt: skip
    else:
        u |= {"kind": "float", "length_m": float(rng.uniform(8, 18)),
              "speed_kmh": float(rng.uniform(3, 5))}  # fmt: skip
        if rng.random() < 0.3:
            u["show_stop"] = {"at": stand, "duration_s": 45}
    return u


#: Road space [m] and speed [km/h] of each kind at a carnival's pace.
CARNIVAL_KINDS = {
    "foot": (20.0, 4.5),
    "band": (35.0, 4.2),
    "mounted": (40.0, 5.0),
    "vehicles": (60.0, 5.0),
    "float": (15.0, 3.6),
}
#: The carnival's route: (id, name, metres from the start, reviewing stand).
CARNIVAL_ROUTE = (
    ("start", "Assembly (Bridge St)", 0.0, False),
    ("market", "Market Square", 600.0, False),
    ("reviewing", "City Hall stand", 1200.0, True),
    ("park", "Park Gate", 1700.0, False),
    ("end", "Dispersal", 2100.0, False),
)
#: Ranks of a carnival formation and vehicles of a carnival column.
CARNIVAL_RANKS, CARNIVAL_VEHICLES, CARNIVAL_VEHICLE_SPACING_M = 11, 4, 6.0


def carnival_plan(n_ground: int = 150, seed: int = 7) -> Plan:
    """``n_ground`` ground units of every kind on a 2.1 km route, an aircraft every 50.

    Each unit's road space and speed are its kind's (:data:`CARNIVAL_KINDS`)
    scaled by a random factor; a float in three makes a 45 s show stop at the
    stand. Starts at 14:00 in Berlin, with a 4 km/h limit from the market to
    the stand, a window of 2.5 h and gaps over 60 m as findings.
    """
    rng = np.random.default_rng(seed)
    kinds = list(CARNIVAL_KINDS)
    start = dt.datetime(2025, 7, 5, 14, 0)
    units: list[dict[str, Any]] = []
    for i in range(n_ground):
        kind = kinds[int(rng.integers(len(kinds)))]
        length, speed = CARNIVAL_KINDS[kind]
        length *= rng.uniform(0.6, 1.3)
        speed *= rng.uniform(0.9, 1.1)
        uid = f"{kind[:3]}-{i + 1:03d}"
        unit = {"id": uid, "name": uid.replace("-", " ").title(), **_carnival_body(kind, length)}
        unit["speed_kmh"] = round(speed, 3)
        if kind == "float" and rng.random() < 0.3:
            unit["show_stop"] = {"at": "reviewing", "duration_s": 45}
        unit["debut"] = bool(rng.random() < 0.05)
        units.append(unit)
        if i % 50 == 25:
            at = start + dt.timedelta(seconds=i * 60)
            units.append({"id": f"air-{i}", "kind": "aircraft", "over": "reviewing",
                          "at": at.strftime("%H:%M:%S")})  # fmt: skip
    return Plan.model_validate(
        {
            "version": 1,
            "parade": {"name": "City Carnival 2025", "date": "2025-07-05",
                       "timezone": "Europe/Berlin", "start": "14:00:00",
                       "window_end": "16:30:00"},
            "route": {
                "checkpoints": [{"id": c, "name": n, "at_m": at, "reviewing": r}
                                for c, n, at, r in CARNIVAL_ROUTE],
                "speed_limits": [{"from": "market", "to": "reviewing", "max_kmh": 4}],
            },
            "defaults": {"gap_m": 20, "min_gap_m": 5, "max_gap_m": 60},
            "units": units,
        }
    )  # fmt: skip


def _carnival_body(kind: str, length_m: float) -> dict[str, Any]:
    """The fields that give a unit of ``kind`` a road space of ``length_m`` (rounded to mm)."""
    if kind in ("foot", "band", "mounted"):
        depth = 2.4 if kind == "mounted" else 0.5
        spacing = round((length_m - depth) / (CARNIVAL_RANKS - 1), 3)
        return {"kind": kind, "ranks": CARNIVAL_RANKS, "files": 4, "rank_spacing_m": spacing}
    if kind == "vehicles":
        gaps = (CARNIVAL_VEHICLES - 1) * CARNIVAL_VEHICLE_SPACING_M
        return {"kind": kind, "count": CARNIVAL_VEHICLES,
                "vehicle_length_m": round((length_m - gaps) / CARNIVAL_VEHICLES, 3),
                "spacing_m": CARNIVAL_VEHICLE_SPACING_M}  # fmt: skip
    return {"kind": kind, "length_m": round(length_m, 3)}


#: The large parade's route: (id, metres from the start, reviewing stand).
ROSE_ROUTE = (
    ("start", 0.0, False),
    ("orange-grove", 900.0, False),
    ("tv-stand", 1800.0, True),
    ("corner", 2300.0, False),
    ("colorado", 4000.0, False),
    ("lake", 6000.0, False),
    ("sierra-madre", 8000.0, False),
    ("end", 9000.0, False),
)
#: Share of each kind among the large parade's entries (the rest are walking groups).
ROSE_SHARES = (("float", 0.4), ("band", 0.25), ("mounted", 0.2))


def rose_parade_plan(n_units: int = 100, seed: int = 2026) -> Plan:
    """``n_units`` entries of a Rose-Parade-size parade on a 9 km route.

    Floats (8-35 m; one in five makes a 30-60 s show stop at the TV stand),
    marching bands (12-24 ranks), equestrian units (4-10 ranks of riders)
    and walking groups (3-12 ranks), 20-40 m apart, at 4.3-4.7 km/h: each
    entry is 2 h on the route, and 100 entries take about 2 h to pass the
    stand. A 3 km/h limit round the corner after the stand.
    """
    rng = np.random.default_rng(seed)
    units = [_rose_unit(i, rng) for i in range(n_units)]
    return Plan.model_validate(
        {
            "version": 1,
            "parade": {"name": f"Large parade ({n_units} entries)", "date": "2026-01-01",
                       "timezone": "America/Los_Angeles", "start": "08:00:00"},
            "route": {
                "checkpoints": [{"id": c, "at_m": at, "reviewing": r} for c, at, r in ROSE_ROUTE],
                "speed_limits": [{"from": "tv-stand", "to": "corner", "max_kmh": 3}],
            },
            "defaults": {"gap_m": 25, "min_gap_m": 5, "max_gap_m": 150},
            "units": units,
        }
    )  # fmt: skip


def _rose_unit(i: int, rng: np.random.Generator) -> dict[str, Any]:
    r = rng.random()
    kind = "foot"
    for name, share in ROSE_SHARES:
        if r < share:
            kind = name
            break
        r -= share
    u: dict[str, Any] = {"id": f"{kind}-{i + 1:03d}", "kind": kind,
                         "speed_kmh": round(float(rng.uniform(4.3, 4.7)), 2),
                         "gap_m": round(float(rng.uniform(20, 40)), 1)}  # fmt: skip
    if kind == "float":
        u["length_m"] = round(float(rng.uniform(8, 35)), 1)
        if rng.random() < 0.2:
            u["show_stop"] = {"at": "tv-stand", "duration_s": int(rng.integers(30, 61))}
    elif kind == "band":
        u |= {"ranks": int(rng.integers(12, 25)), "files": 10, "rank_spacing_m": 1.5}
    elif kind == "mounted":
        u |= {"ranks": int(rng.integers(4, 11)), "files": 3, "rank_spacing_m": 3.5}
    else:
        u |= {"ranks": int(rng.integers(3, 13)), "files": 6, "rank_spacing_m": 1.4}
    return u


def calibration_plan_text(n: int = 100) -> str:
    """A plan of ``n`` units (foot boxes, then vehicle groups) with five rehearsals r0..r4."""
    lines = [
        "version: 1",
        "parade: {name: Bench, date: 2025-05-09, timezone: Europe/Moscow, start: '10:00:00'}",
        "route:",
        "  checkpoints:",
        *(
            f"    - {{id: c{k}, at_m: {k * 300}{', reviewing: true' if k == 2 else ''}}}"
            for k in range(5)
        ),
        "defaults: {gap_m: 30, min_gap_m: 5}",
        "rehearsals:",
        *(
            f"  - {{id: r{r}, date: 2025-05-0{r + 1}, start: '22:00:00', place: X}}"
            for r in range(5)
        ),
        "units:",
    ]
    for i in range(n):
        if i < n // 2:
            lines.append(
                f"  - {{id: u{i}, kind: foot, ranks: 10, files: 10, cadence_spm: 120,"
                " pace_m: 0.75}"
            )
        else:
            lines.append(
                f"  - {{id: u{i}, kind: vehicles, count: 4, vehicle_length_m: 8,"
                " spacing_m: 20, speed_kmh: 15, gap_m: 60}"
            )
    return "\n".join(lines) + "\n"


# --- rehearsals --------------------------------------------------------------

#: The Victory Day example's rehearsals and the seed of their files.
REHEARSAL_SEED = 20250509
REHEARSAL_RUNS = ("night-1", "night-2", "general")
#: Each unit's speed factor ~ N(1, SPEED_SD); each later unit steps off late by
#: ~ |N(DELAY_MEAN_S, DELAY_SD_S)|; every time read with N(0, NOISE_S) noise.
SPEED_SD = 0.01
DELAY_MEAN_S, DELAY_SD_S = 3.0, 2.0
NOISE_S = 0.3

Truth = dict[str, dict[str, float]]


def rehearsal_runs(
    plan: Plan, runs: tuple[str, ...] = REHEARSAL_RUNS, seed: int = REHEARSAL_SEED
) -> tuple[dict[str, str], dict[str, Truth]]:
    """CSV text (unit,checkpoint,head,tail) and the truth per unit, per rehearsal id.

    Each rehearsal perturbs the plan (:func:`perturbed`), times it with the
    engine and reads every head and tail with noise (:func:`measured_csv`).
    A unit held behind a slower one is marked ``held``: its measured speed is
    then the other's, not its own.
    """
    rng = np.random.default_rng(seed)
    zone = ZoneInfo(plan.parade.timezone)
    by_id = {r.id: r for r in plan.rehearsals}
    texts, truths = {}, {}
    for rid in runs:
        r = by_id[rid]
        changed, truth = perturbed(plan, rng)
        reference = instant(r.start, r.date, zone, f"rehearsals[{rid}].start")
        texts[rid] = measured_csv(changed, reference, rng)
        held = {f.unit for f in schedule(changed).findings if f.kind == "catch_up"}
        for uid in truth:
            truth[uid]["held"] = float(uid in held)
        truths[rid] = truth
    return texts, truths


def perturbed(plan: Plan, rng: np.random.Generator) -> tuple[Plan, Truth]:
    """A copy of ``plan`` as one rehearsal might go, and the truth per unit.

    Every ground unit's speed (or pace) is scaled by its factor; every unit
    after the first steps off late by its delay: its step-off or target moved,
    or else its gap widened by the delay times the speed of the unit ahead.
    """
    p = plan.model_copy(deep=True)
    truth: Truth = {}
    leader_speed: float | None = None
    for unit in p.units:
        if isinstance(unit, AircraftUnit):
            continue
        factor = float(rng.normal(1.0, SPEED_SD))
        delay = abs(float(rng.normal(DELAY_MEAN_S, DELAY_SD_S))) if leader_speed else 0.0
        if isinstance(unit, FootUnit | BandUnit | MountedUnit) and unit.speed_kmh is None:
            assert unit.pace_m is not None
            unit.pace_m *= factor
        else:
            assert unit.speed_kmh is not None
            unit.speed_kmh *= factor
        if leader_speed is not None:
            if unit.step_off is not None:
                unit.step_off = _later(unit.step_off, delay)
            elif unit.target is not None:
                t = unit.target
                unit.target = Target(
                    at=t.at, head=_later(t.head, delay), tail=_later(t.tail, delay)
                )
            else:
                gap = p.defaults.gap_m if unit.gap_m is None else unit.gap_m
                unit.gap_m = gap + delay * leader_speed
        truth[unit.id] = {"speed_factor": factor, "step_off_delay_s": delay}
        leader_speed = speed_ms(unit)
    return p, truth


def _later(t: ClockTime | None, seconds: float) -> ClockTime | None:
    """A plan's wall-clock time ``seconds`` later (on a day the clocks do not change)."""
    if t is None:
        return None
    day = dt.date(2000, 1, 1)
    base = dt.datetime.combine(day, t.wall) + dt.timedelta(days=t.days, seconds=seconds)
    return ClockTime(base.time(), days=(base.date() - day).days)


def measured_csv(plan: Plan, reference: dt.datetime, rng: np.random.Generator) -> str:
    """unit,checkpoint,head,tail of the engine's schedule of ``plan``, with noise.

    The first unit's head at the start is exact: it is the rehearsal's reference.
    """
    s = schedule(plan)
    buf = io.StringIO()
    buf.write("unit,checkpoint,head,tail\n")
    for u in s.units:
        if u.trajectory is None:
            continue
        for p in u.passes:
            h = p.head + float(rng.normal(0.0, NOISE_S))
            t = max(h, p.tail + float(rng.normal(0.0, NOISE_S)))
            if u is s.units[0] and p is u.passes[0]:
                h = p.head
            stamps = [
                (reference + dt.timedelta(seconds=round(v, 1))).isoformat(timespec="milliseconds")
                for v in (h, t)
            ]
            buf.write(f"{u.id},{p.checkpoint},{stamps[0]},{stamps[1]}\n")
    return buf.getvalue()


SMALL_SERVICE_PLAN = """\
version: 1
parade:
  name: Test Parade
  date: 2025-05-09
  timezone: Europe/Moscow
  start: "10:00:00"
  window_end: "10:20:00"
route:
  checkpoints:
    - {id: start, name: Start, at_m: 0}
    - {id: tribune, name: Tribune, at_m: 300, reviewing: true}
    - {id: release, name: Release, at_m: 600}
defaults:
  gap_m: 20
  min_gap_m: 5
  max_gap_m: 100
units:
  - id: colour-guard
    name: Colour guard
    kind: foot
    description: The colours are carried past the stand.
    ranks: 3
    files: 3
    cadence_spm: 120
    pace_m: 0.75
  - id: band
    name: Massed band
    kind: band
    description: The massed band plays.
    ranks: 8
    files: 8
    cadence_spm: 110
    pace_m: 0.75
  - id: tanks
    name: Tanks
    kind: vehicles
    description: A column of tanks.
    count: 4
    vehicle_length_m: 9.6
    spacing_m: 20
    speed_kmh: 10
"""

# --- guests and stands -------------------------------------------------------

#: Ranks a delegation's members are drawn from, beyond its first three.
_RANKS = (
    Category.head_of_state, Category.head_of_government, Category.minister,
    Category.ambassador, Category.military_delegation, Category.veteran,
    Category.official, Category.press,
)  # fmt: skip


def guest_book(
    guests: int = 2000, delegations: int = 150, seed: int = 1, max_size: int = 30
) -> GuestBook:
    """``guests`` guests in ``delegations`` delegations of 2..max_size, ranks mixed.

    The host (a head of state) leads the first delegation; each delegation's
    first three members rank from the top down, the rest at random.
    """
    import pycountry  # imported here: its data loads only when a guest book is made

    rng = np.random.default_rng(seed)
    sizes = np.full(delegations, 2)
    extra = guests - sizes.sum()
    while extra > 0:
        d = int(rng.integers(delegations))
        if sizes[d] < max_size:
            sizes[d] += 1
            extra -= 1
    countries = [c.alpha_2 for c in pycountry.countries][:delegations]
    people: list[Guest] = [
        Guest(id="host", name="Host", country="RU", category=Category.head_of_state, host=True)
    ]
    for d, (size, country) in enumerate(zip(sizes, countries, strict=True)):
        for i in range(int(size) - (1 if d == 0 else 0)):
            category = _RANKS[min(i, len(_RANKS) - 1)] if i < 3 else _RANKS[int(rng.integers(3, 8))]
            people.append(Guest(
                id=f"d{d}-g{i}", name=f"Guest {d}.{i}", country=country, category=category,
                delegation=f"del-{d}",
                in_office_since=dt.date(2000, 1, 1) + dt.timedelta(days=int(rng.integers(9000))),
            ))  # fmt: skip
    people[0] = people[0].model_copy(update={"delegation": "del-0"})
    return GuestBook(host_country="RU", guests=people)


def tribunes(sections: int = 4, rows: int = 11, seats: int = 50) -> Tribunes:
    """``sections`` stands of ``rows`` rows of ``seats`` seats (default 2,200 seats)."""
    return Tribunes(sections=[
        Section(id=f"s{s + 1}", rows=[Row(number=r + 1, seats=seats) for r in range(rows)])
        for s in range(sections)
    ])  # fmt: skip
