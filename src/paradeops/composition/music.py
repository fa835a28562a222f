"""Cue sheets timed by the timing engine, and the checks a bandmaster makes.

Timing of one band (see docs/composition.md, "Music program"):

- The band stands at ``at_m``, or at ``at`` (a checkpoint; default the
  reviewing stand) plus ``offset_m``. Its hearing range is the road within
  ``hearing_distance_m`` of it, cut at the start point and the release point.
  It plays, without stopping, from the moment the head of the first unit it
  accompanies comes into its hearing range (plus ``start_offset_s``) until the
  tail of the last one has left it.
- Pieces follow each other back to back. A piece with ``cue: UNIT`` starts
  when that unit's head reaches the band: the piece in progress is cut there,
  or, if the pieces before it ran out, the last of them (``repeat: last``) or
  all of them since the previous cue (``repeat: sheet``, da capo) are played
  again until then. The same holds at the end: the piece in progress when the
  band stops is cut. A cue is given at the band and at the reviewing stand
  (when the cued unit's head reaches each).

Checks (all against the reviewing stand, where the music is judged). A band is
heard at the stand when it stands within ``hearing_distance_m`` of it, and
then whenever it plays:

- ``silence``: a foot, band or mounted unit (and vehicles and floats with
  ``require_for_vehicles``) passes the stand, head to tail, while no band
  heard there is playing.
- ``overlap``: two bands within ``hearing_distance_m`` of each other play at
  the same time.
- ``tempo``: a piece heard at the stand while a unit with a cadence passes
  the stand is more than ``tempo_tolerance_spm`` off its cadence.
- ``unplayed`` (warning): a piece on a sheet never starts.
- ``out_of_hearing`` (warning): a band accompanies units but is too far from
  the reviewing stand to count there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from paradeops.model.clock import clock_text
from paradeops.model.music import Band, MusicProgram, Piece, Span
from paradeops.model.plan import (
    AircraftUnit,
    BandUnit,
    FloatUnit,
    FootUnit,
    MountedUnit,
    Plan,
    Unit,
    VehicleUnit,
)
from paradeops.timing.schedule import CheckpointInfo, FloatArray, Schedule, UnitSchedule

#: Silences and overlaps shorter than this are rounding, not a finding [s].
TOLERANCE_S = 0.5

MusicFindingKind = Literal["silence", "overlap", "tempo", "unplayed", "out_of_hearing"]


@dataclass(frozen=True)
class Cue:
    """One playing of one piece [s from the plan's reference time]."""

    band: str
    piece: int  # index on the sheet
    title: str
    composer: str | None
    tempo_bpm: float
    start: float
    end: float
    duration_s: float  # the full piece
    repeat: int  # 0 for the first playing, 1 for the first repeat, ...
    cut: bool  # stopped before its end
    cued_by: str | None  # the unit whose head started it
    units: tuple[str, ...]  # units passing the band while it plays
    #: With ``cued_by``: when that unit's head reaches the band and the stand.
    cue_at_band: float | None = None
    cue_at_stand: float | None = None

    @property
    def played_s(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class CueSheet:
    band: str
    name: str
    position_m: float  # from the start point
    heard_at_reviewing: bool
    hearing_m: tuple[float, float]  # the road it plays for [m from the start point]
    start: float
    end: float
    units: tuple[str, ...]
    cues: tuple[Cue, ...]
    unplayed: tuple[str, ...]


@dataclass(frozen=True)
class MusicFinding:
    kind: MusicFindingKind
    severity: Literal["error", "warning"]
    message: str
    band: str | None = None
    unit: str | None = None
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class MusicReport:
    sheets: tuple[CueSheet, ...]
    findings: tuple[MusicFinding, ...]

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)


def music_report(plan: Plan, schedule: Schedule) -> MusicReport:
    """Cue sheets of ``plan.music`` and every finding about them."""
    program = plan.music
    if program is None:
        return MusicReport((), ())
    by_id = {u.id: u for u in schedule.units}
    ground = [u for u in plan.units if not isinstance(u, AircraftUnit)]
    origin = plan.route.checkpoints[0].at_m or 0.0
    sheets = tuple(
        _sheet(schedule, program, b, _position(schedule, b, origin), ground, by_id)
        for b in program.bands
    )
    findings = [
        *_unplayed(sheets),
        *_out_of_hearing(sheets, program),
        *_overlaps(sheets, program),
        *_coverage(plan, schedule, program, sheets),
    ]
    return MusicReport(sheets, tuple(findings))


def _position(schedule: Schedule, band: Band, origin: float) -> float:
    """From the start point [m]; ``at_m`` is on the checkpoints' scale (``origin`` at 0)."""
    if band.at_m is not None:
        return band.at_m - origin
    base = schedule.reviewing if band.at is None else _cp(schedule, band.at)
    return base.at_m + band.offset_m


def _cp(schedule: Schedule, cid: str) -> CheckpointInfo:
    return next(c for c in schedule.checkpoints if c.id == cid)


def _span(band: Band, ground: Sequence[Unit]) -> list[Unit]:
    order = {u.id: i for i, u in enumerate(ground)}
    if isinstance(band.accompanies, Span):
        ends = [band.accompanies.from_, band.accompanies.to]
    else:
        ends = list(band.accompanies)
    idx = [order[e] for e in ends if e in order]
    if not idx:
        return []
    return list(ground[min(idx) : max(idx) + 1])


def _at(us: UnitSchedule, pos: float) -> tuple[float, float]:
    """Head and tail times of a unit at a position on the route."""
    assert us.trajectory is not None
    head = float(us.trajectory.arrive(pos))
    tail = float(us.trajectory.arrive(pos + us.length_m))
    return head, tail


def _sheet(
    schedule: Schedule,
    program: MusicProgram,
    band: Band,
    pos: float,
    ground: Sequence[Unit],
    by_id: dict[str, UnitSchedule],
) -> CueSheet:
    reviewing = schedule.reviewing
    heard = abs(pos - reviewing.at_m) <= program.hearing_distance_m
    # Hearing range: cut at the start point (no unit is on the road before it)
    # and at the release point (the units disperse there).
    release = schedule.checkpoints[-1].at_m
    near = min(max(pos - program.hearing_distance_m, 0.0), release)
    far = max(min(pos + program.hearing_distance_m, release), 0.0)
    span = _span(band, ground)
    if not span:
        return CueSheet(band.id, band.label, pos, heard, (near, far), 0.0, 0.0, (), (), ())
    passes = {u.id: _at(by_id[u.id], pos) for u in span}
    start = min(_at(by_id[u.id], near)[0] for u in span) + band.start_offset_s
    end = max(_at(by_id[u.id], far)[1] for u in span)
    bounds = _segments(band, passes, start)
    cues: list[Cue] = []
    for k, (first, s0, cued_by) in enumerate(bounds):
        last = bounds[k + 1][0] if k + 1 < len(bounds) else len(band.pieces)
        s1 = min(bounds[k + 1][1], end) if k + 1 < len(bounds) else end
        fills = _fill(band.pieces, list(range(first, last)), s0, s1, band.repeat)
        for idx, t0, t1, rep, cut in fills:
            by = cued_by if idx == first and rep == 0 else None
            cues.append(_cue(schedule, band, idx, (t0, t1, rep, cut), by, passes, by_id))
    played = {c.piece for c in cues}
    unplayed = tuple(p.title for i, p in enumerate(band.pieces) if i not in played)
    return CueSheet(
        band.id,
        band.label,
        pos,
        heard,
        (near, far),
        start,
        end,
        tuple(passes),
        tuple(cues),
        unplayed,
    )


def _segments(
    band: Band, passes: dict[str, tuple[float, float]], start: float
) -> list[tuple[int, float, str | None]]:
    """The sheet split at cued pieces: (first piece, start, cueing unit) each."""
    bounds: list[tuple[int, float, str | None]] = [(0, start, None)]
    for i, p in enumerate(band.pieces):
        if i > 0 and p.cue is not None and p.cue in passes:
            bounds.append((i, max(passes[p.cue][0], bounds[-1][1]), p.cue))
    return bounds


def _cue(
    schedule: Schedule,
    band: Band,
    idx: int,
    played: tuple[float, float, int, bool],
    by: str | None,
    passes: dict[str, tuple[float, float]],
    by_id: dict[str, UnitSchedule],
) -> Cue:
    """Piece ``idx`` played from t0 to t1 (its ``rep``-th repeat, ``cut`` short)."""
    t0, t1, rep, cut = played
    p = band.pieces[idx]
    stand = by_id[by].at(schedule.reviewing.id) if by is not None else None
    return Cue(
        band=band.id,
        piece=idx,
        title=p.title,
        composer=p.composer,
        tempo_bpm=p.tempo_bpm,
        start=t0,
        end=t1,
        duration_s=p.duration_s,
        repeat=rep,
        cut=cut,
        cued_by=by,
        units=tuple(uid for uid, (h, t) in passes.items() if h < t1 and t > t0),
        cue_at_band=None if by is None else passes[by][0],
        cue_at_stand=None if stand is None else stand.head,
    )


def _fill(
    pieces: Sequence[Piece], seg: list[int], s0: float, s1: float, repeat: str
) -> list[tuple[int, float, float, int, bool]]:
    """Play ``seg`` (piece indices) from ``s0``, repeating, until ``s1``."""
    out: list[tuple[int, float, float, int, bool]] = []
    if s1 - s0 <= 1e-9:
        return out
    t = s0
    counts: dict[int, int] = {}
    order = list(seg)
    i = 0
    while t < s1 - 1e-9:
        if i < len(order):
            idx = order[i]
            i += 1
        elif repeat == "sheet":
            idx = order[(i - len(seg)) % len(seg)]
            order.append(idx)
            i += 1
        else:
            idx = seg[-1]
        dur = pieces[idx].duration_s
        t1 = min(t + dur, s1)
        rep = counts.get(idx, 0)
        counts[idx] = rep + 1
        out.append((idx, t, t1, rep, t + dur > s1 + 1e-9))
        t = t1
    return out


def _unplayed(sheets: Sequence[CueSheet]) -> list[MusicFinding]:
    return [
        MusicFinding(
            "unplayed",
            "warning",
            f"{s.band}: {title!r} is never played: the units have passed before it starts",
            band=s.band,
        )
        for s in sheets
        for title in s.unplayed
    ]


def _out_of_hearing(sheets: Sequence[CueSheet], program: MusicProgram) -> list[MusicFinding]:
    return [
        MusicFinding(
            "out_of_hearing",
            "warning",
            f"{s.band} plays more than {program.hearing_distance_m:g} m from the reviewing "
            "stand: it is not heard there and does not count for coverage",
            band=s.band,
        )
        for s in sheets
        if s.units and not s.heard_at_reviewing
    ]


def _overlaps(sheets: Sequence[CueSheet], program: MusicProgram) -> list[MusicFinding]:
    out = []
    playing = [s for s in sheets if s.cues]
    for i, a in enumerate(playing):
        for b in playing[i + 1 :]:
            if abs(a.position_m - b.position_m) > program.hearing_distance_m:
                continue
            lo, hi = max(a.start, b.start), min(a.end, b.end)
            if hi - lo > TOLERANCE_S:
                out.append(
                    MusicFinding(
                        "overlap",
                        "error",
                        f"{a.band} and {b.band}, {abs(a.position_m - b.position_m):.0f} m "
                        f"apart, play at the same time for {hi - lo:.0f} s",
                        band=a.band,
                        start=lo,
                        end=hi,
                    )
                )
    return out


def _needs_music(unit: Unit, program: MusicProgram) -> bool:
    if isinstance(unit, FootUnit | BandUnit | MountedUnit):
        return True
    return program.require_for_vehicles and isinstance(unit, VehicleUnit | FloatUnit)


def _coverage(
    plan: Plan, schedule: Schedule, program: MusicProgram, sheets: Sequence[CueSheet]
) -> list[MusicFinding]:
    heard = [s for s in sheets if s.heard_at_reviewing and s.cues]
    spans = np.array([(s.start, s.end) for s in heard], dtype=float).reshape(-1, 2)
    cues = [c for s in heard for c in s.cues]
    by_id = {u.id: u for u in schedule.units}
    rev = schedule.reviewing.id
    out: list[MusicFinding] = []
    for unit in plan.units:
        if isinstance(unit, AircraftUnit) or not _needs_music(unit, program):
            continue
        p = by_id[unit.id].at(rev)
        assert p is not None
        gaps = _uncovered(p.head, p.tail, spans)
        if gaps:
            total = sum(b - a for a, b in gaps)
            a, b = gaps[0]
            out.append(
                MusicFinding(
                    "silence",
                    "error",
                    f"{unit.id} passes the reviewing stand with no music for {total:.0f} s "
                    f"(first from {_clock(schedule, a)} to {_clock(schedule, b)})",
                    unit=unit.id,
                    start=a,
                    end=b,
                )
            )
        cadence = getattr(unit, "cadence_spm", None)
        if cadence is None:
            continue
        reported: set[tuple[str, int]] = set()
        for c in cues:
            overlap = min(c.end, p.tail) - max(c.start, p.head)
            if overlap <= TOLERANCE_S or (c.band, c.piece) in reported:
                continue
            reported.add((c.band, c.piece))
            if abs(c.tempo_bpm - cadence) > program.tempo_tolerance_spm:
                out.append(
                    MusicFinding(
                        "tempo",
                        "error",
                        f"{unit.id} marches at {cadence:g} steps/min but {c.band} plays "
                        f"{c.title!r} at {c.tempo_bpm:g} bpm while it passes (tolerance "
                        f"{program.tempo_tolerance_spm:g})",
                        band=c.band,
                        unit=unit.id,
                        start=max(c.start, p.head),
                        end=min(c.end, p.tail),
                    )
                )
    return out


def _uncovered(a: float, b: float, spans: FloatArray) -> list[tuple[float, float]]:
    """Parts of [a, b] longer than the tolerance that no span covers."""
    gaps = []
    t = a
    for s, e in sorted((float(r[0]), float(r[1])) for r in spans):
        if e <= t:
            continue
        if s > t:
            gaps.append((t, min(s, b)))
        t = max(t, e)
        if t >= b:
            break
    if t < b:
        gaps.append((t, b))
    return [(x, y) for x, y in gaps if y - x > TOLERANCE_S]


def _clock(schedule: Schedule, seconds: float) -> str:
    # The tables' HH:MM:SS: the core writes its messages with the model's
    # clock_text, as paradeops.reports.times.clock does for the adapters.
    return clock_text(schedule.clock(seconds), schedule.reference)
