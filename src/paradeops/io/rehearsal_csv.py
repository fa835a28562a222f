"""Measured rehearsal times from CSV, and calibrated figures written back to a plan.

Two shapes are read (docs/composition.md, "Rehearsal CSV"):

- wide: ``unit,checkpoint,head,tail`` — one row per unit and checkpoint;
- long: ``unit,checkpoint,event,time`` with ``event`` ``head`` or ``tail`` —
  one row per tap, the shape of the marshals' check-ins export.

Other columns are ignored. Times are ISO 8601 date-times (an offset, or the
plan's time zone if none) or clock times ``HH:MM:SS[.f]``, one style per file.
Every problem is reported with its row (the file's line number).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML

from paradeops.composition.rehearsals import Calibration, Measured, Run
from paradeops.errors import Problem, UserError
from paradeops.model.plan import AircraftUnit, Plan, parse_clock
from paradeops.model.yamlsource import load_round_trip

#: Beyond this many problems a file is surely the wrong one; stop listing.
MAX_PROBLEMS = 20


def load_run(path: Path | str, plan: Plan, *, start: dt.time | None = None) -> Run:
    from paradeops.io.planfile import read_text

    path = Path(path)
    return parse_run(read_text(path), str(path), plan, start=start, name=path.stem)


def parse_run(
    text: str, file: str, plan: Plan, *, start: dt.time | None = None, name: str | None = None
) -> Run:
    """One rehearsal's measurements, in seconds from its reference time.

    The reference is ``start`` on the rehearsal's date when given, else the
    time the first unit's head passed the first checkpoint.
    """
    zone = ZoneInfo(plan.parade.timezone)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    long = "event" in header and "time" in header
    need = ["unit", "checkpoint"] + (["event", "time"] if long else [])
    missing = [c for c in need if c not in header]
    if not long and "head" not in header and "tail" not in header:
        missing.append("head or tail")
    if missing:
        raise UserError(
            f"missing column(s): {', '.join(missing)}",
            file=file,
            line=1,
            hint="the header must be unit,checkpoint,head,tail (or unit,checkpoint,event,time)",
        )
    units = {u.id: u for u in plan.units}
    cps = [c.id for c in plan.route.checkpoints]
    problems: list[Problem] = []
    raw: dict[tuple[str, str], dict[str, tuple[Any, int]]] = {}
    style: str | None = None

    def bad(line: int, message: str, hint: str | None = None, field: str | None = None) -> None:
        problems.append(Problem(message, file=file, line=line, field=field, hint=hint))

    for row in reader:
        line = reader.line_num
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        uid = (row.get("unit") or "").strip()
        cid = (row.get("checkpoint") or "").strip()
        if uid not in units:
            bad(line, f"unknown unit {uid!r}", _near(uid, units), "unit")
            continue
        if isinstance(units[uid], AircraftUnit):
            bad(line, f"{uid!r} is an aircraft unit", "measure units on the road only", "unit")
            continue
        if cid not in cps:
            bad(line, f"unknown checkpoint {cid!r}", "known: " + ", ".join(cps), "checkpoint")
            continue
        events: Iterable[tuple[str, str]]
        if long:
            ev = (row.get("event") or "").strip().lower()
            if ev not in ("head", "tail"):
                bad(line, f"event {ev!r} is neither head nor tail", None, "event")
                continue
            events = [(ev, (row.get("time") or "").strip())]
        else:
            events = [(k, (row.get(k) or "").strip()) for k in ("head", "tail")]
        slot = raw.setdefault((uid, cid), {})
        seen_any = False
        for ev, value in events:
            if not value:
                continue
            seen_any = True
            parsed = _time(value, zone)
            if parsed is None:
                bad(
                    line,
                    f"cannot read time {value!r}",
                    "use HH:MM:SS(.f) or ISO 8601 like 2025-05-04T22:07:01+03:00",
                    ev if not long else "time",
                )
                continue
            kind = "iso" if isinstance(parsed, dt.datetime) else "clock"
            if style is None:
                style = kind
            elif kind != style:
                bad(line, f"{kind} time among {style} times", "give every time the same way")
                continue
            if ev in slot:
                bad(line, f"{uid} {ev} at {cid} is already given on line {slot[ev][1]}")
                continue
            slot[ev] = (parsed, line)
        if not seen_any:
            bad(line, "no time on this row", "give head and/or tail")
        if len(problems) > MAX_PROBLEMS:
            break
    if problems:
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], Problem("... and more", file=file)]
        raise UserError(problems=problems)
    if not raw:
        raise UserError("no measurements in the file", file=file, hint="is this the right file?")

    ref = _reference(raw, plan, zone, start, style, file)
    rows = []
    for (uid, cid), slot in raw.items():
        head = _seconds(slot["head"][0], ref) if "head" in slot else None
        tail = _seconds(slot["tail"][0], ref) if "tail" in slot else None
        line = min(v[1] for v in slot.values())
        if head is not None and tail is not None and tail < head:
            problems.append(
                Problem(f"{uid}'s tail passes {cid} before its head", file=file, line=line)
            )
        rows.append(Measured(uid, cid, head, tail, line))
    if problems:
        raise UserError(problems=problems[:MAX_PROBLEMS])
    return Run(name or file, tuple(rows), reference_from_first=start is None)


def _time(value: str, zone: ZoneInfo) -> dt.datetime | dt.time | None:
    try:
        return parse_clock(value)
    except ValueError:
        pass
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return d if d.tzinfo is not None else d.replace(tzinfo=zone)


def _reference(
    raw: dict[tuple[str, str], dict[str, tuple[Any, int]]],
    plan: Plan,
    zone: ZoneInfo,
    start: dt.time | None,
    style: str | None,
    file: str,
) -> dt.datetime | dt.time:
    if start is not None:
        if style == "iso":
            first = min(v[0] for slot in raw.values() for v in slot.values())
            return dt.datetime.combine(first.astimezone(zone).date(), start, zone)
        return start
    first_unit = next(u.id for u in plan.units if not isinstance(u, AircraftUnit))
    first_cp = plan.route.checkpoints[0].id
    got = raw.get((first_unit, first_cp), {}).get("head")
    if got is None:
        raise UserError(
            f"cannot align the times: no head time of {first_unit} at {first_cp}",
            file=file,
            hint="give the rehearsal's start with --start HH:MM:SS",
        )
    ref: dt.datetime | dt.time = got[0]
    return ref


def _seconds(t: dt.datetime | dt.time, ref: dt.datetime | dt.time) -> float:
    if isinstance(t, dt.datetime) and isinstance(ref, dt.datetime):
        return (t - ref).total_seconds()
    assert isinstance(t, dt.time) and isinstance(ref, dt.time)
    s = _sod(t) - _sod(ref)
    # Clock times cross midnight in night rehearsals: take the nearest day.
    if s <= -43200:
        s += 86400
    elif s > 43200:
        s -= 86400
    return s


def _sod(t: dt.time) -> float:
    return t.hour * 3600 + t.minute * 60 + t.second + t.microsecond / 1e6


def _near(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "use a unit id from the plan"


def calibrated_plan(text: str, plan: Plan, calibration: Calibration) -> str:
    """The plan's text with fitted speeds (or paces) and gaps written into its units.

    Comments and layout are kept (ruamel.yaml round trip). Speeds go into
    ``speed_kmh`` (or ``pace_m`` for a formation marching by cadence), gaps
    into ``gap_m`` of units that step off behind the one ahead.
    """
    doc = load_round_trip(text, "plan")
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    where = {u.id: i for i, u in enumerate(plan.units)}
    for fit in calibration.units:
        node = doc["units"][where[fit.unit]]
        if fit.fitted_pace_m is not None:
            node["pace_m"] = round(float(fit.fitted_pace_m), 3)
        elif fit.fitted_speed_kmh is not None:
            node["speed_kmh"] = round(float(fit.fitted_speed_kmh), 2)
        if fit.fitted_gap_m is not None:
            node["gap_m"] = round(max(float(fit.fitted_gap_m), 0.0), 1)
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


__all__ = ["calibrated_plan", "load_run", "parse_run"]
