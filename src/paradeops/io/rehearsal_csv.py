"""Measured rehearsal times from CSV, and calibrated figures written back to a plan.

Two shapes are read (docs/composition.md, "Rehearsal CSV"):

- wide: ``unit,checkpoint,head,tail`` — one row per unit and checkpoint;
- long: ``unit,checkpoint,event,time`` with ``event`` ``head`` or ``tail`` —
  one row per tap, the shape of the marshals' check-ins export.

Other columns are ignored. Times follow the plan's rule for clock times
(:mod:`paradeops.model.clock`), one style per file: ISO 8601 date-times (with
an offset, or a wall-clock time in the plan's zone), or clock times
``HH:MM:SS[.f]`` on the rehearsal's date, ``24:00:00``-``47:59:59`` on the
next. The rehearsal's date is that of the plan's rehearsal the file is named
after (``night-1.csv`` or ``rehearsal-night-1.csv``), else the date of the
first ISO time, else the parade's. A wall-clock time the zone skips or shows
twice that day, and a time more than 12 h from the run's reference (an
``00:10:00`` meant after midnight), are errors. Every problem is reported
with its row (the file's line number).
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ruamel.yaml import YAML

from paradeops.calibration import Calibration, Measured, Run
from paradeops.errors import Problem, UserError
from paradeops.io.csv_table import parse_table
from paradeops.model.clock import (
    ClockError,
    ClockTime,
    instant,
    iso,
    parse_clock_time,
    plan_spelling,
    seconds_between,
    wall_instant,
)
from paradeops.model.plan import AircraftUnit, Plan
from paradeops.model.yamlsource import load_round_trip

#: Beyond this many problems a file is surely the wrong one; stop listing.
MAX_PROBLEMS = 20
#: A measured time further than this from the run's reference is a mistake [s].
MAX_FROM_REFERENCE_S = 12 * 3600.0

#: A time as the file writes it: a plan clock time, or an ISO date-time without offset.
Written = ClockTime | dt.datetime


def load_run(path: Path | str, plan: Plan, *, start: ClockTime | None = None) -> Run:
    from paradeops.io.planfile import read_bytes

    path = Path(path)
    return parse_run(read_bytes(path), str(path), plan, start=start, name=path.stem)


#: Per (unit, checkpoint), per event (head, tail): the time as written, its
#: line and the column it came from.
RawTimes = dict[tuple[str, str], dict[str, tuple[Written, int, str]]]
#: Per (unit, checkpoint), per event: the instant and its line.
Moments = dict[tuple[str, str], dict[str, tuple[dt.datetime, int]]]


def parse_run(
    text: str | bytes,
    file: str,
    plan: Plan,
    *,
    start: ClockTime | None = None,
    name: str | None = None,
    date: dt.date | None = None,
) -> Run:
    """One rehearsal's measurements, in seconds from its reference time.

    The reference is ``start`` on the rehearsal's date when given, else the
    time the first unit's head passed the first checkpoint. ``date`` is the
    rehearsal's date (default: see the module's docstring).
    """
    zone = ZoneInfo(plan.parade.timezone)
    data = text.encode("utf-8") if isinstance(text, str) else text
    reader = _RowReader(file, plan)
    reader.read(data)
    day = date or _run_date(plan, name or Path(file).stem, reader.raw, zone)
    moments = reader.moments(day, zone)
    ref = _reference(moments, plan, day, zone, start, file)
    rows = reader.measured(moments, ref, day, zone)
    return Run(name or file, tuple(rows), reference_from_first=start is None)


class _RowReader:
    """Reads a rehearsal CSV row by row, collecting every problem (up to a limit)."""

    def __init__(self, file: str, plan: Plan) -> None:
        self.file = file
        self.units = {u.id: u for u in plan.units}
        self.cps = [c.id for c in plan.route.checkpoints]
        self.problems: list[Problem] = []
        self.raw: RawTimes = {}
        #: "clock" or "iso": how the file's first time is written; all must match.
        self.style: str | None = None
        self.long = False

    def bad(
        self, line: int, message: str, hint: str | None = None, field: str | None = None
    ) -> None:
        self.problems.append(Problem(message, file=self.file, line=line, field=field, hint=hint))

    def stop_if_bad(self) -> None:
        if self.problems:
            raise UserError(problems=self.problems[:MAX_PROBLEMS])

    def read(self, data: bytes) -> None:
        """Every row's times as written into :attr:`raw`; a UserError listing what is wrong."""
        # The project's one CSV reader: encoding and delimiter (, ; tab) detected
        # the same way as for guest lists; other columns are ignored.
        table, self.problems = parse_table(
            data, self.file, ("unit", "checkpoint"), ("head", "tail", "event", "time"),
            other_columns="ignore",
        )  # fmt: skip
        self._check_header(table.columns, table.header_line)
        for line, row in table.rows:
            events = self._events(line, row)
            if events is not None:
                self._record(line, events)
            if len(self.problems) > MAX_PROBLEMS:
                break
        if len(self.problems) > MAX_PROBLEMS:
            more = Problem("... and more", file=self.file)
            raise UserError(problems=[*self.problems[:MAX_PROBLEMS], more])
        self.stop_if_bad()
        if not self.raw:
            raise UserError(
                "no measurements in the file", file=self.file, hint="is this the right file?"
            )

    def _check_header(self, header: Sequence[str], header_line: int | None) -> None:
        self.long = "event" in header and "time" in header
        if header and not self.long and "head" not in header and "tail" not in header:
            self.problems.append(
                Problem(
                    "missing column(s): head or tail",
                    file=self.file,
                    line=header_line,
                    hint="the header must be unit,checkpoint,head,tail "
                    "(or unit,checkpoint,event,time)",
                )
            )
        if any(p.line in (None, header_line) for p in self.problems):
            raise UserError(problems=self.problems[:MAX_PROBLEMS])

    def _events(
        self, line: int, row: Mapping[str, str | None]
    ) -> tuple[str, str, list[tuple[str, str]]] | None:
        """Unit, checkpoint and the (event, time text) pairs of a row; None if it is bad."""
        uid = (row.get("unit") or "").strip()
        cid = (row.get("checkpoint") or "").strip()
        if uid not in self.units:
            self.bad(line, f"unknown unit {uid!r}", _near(uid, self.units), "unit")
            return None
        if isinstance(self.units[uid], AircraftUnit):
            self.bad(line, f"{uid!r} is an aircraft unit", "measure units on the road only", "unit")
            return None
        if cid not in self.cps:
            known = "known: " + ", ".join(self.cps)
            self.bad(line, f"unknown checkpoint {cid!r}", known, "checkpoint")
            return None
        if not self.long:
            return uid, cid, [(k, (row.get(k) or "").strip()) for k in ("head", "tail")]
        ev = (row.get("event") or "").strip().lower()
        if ev not in ("head", "tail"):
            self.bad(line, f"event {ev!r} is neither head nor tail", None, "event")
            return None
        return uid, cid, [(ev, (row.get("time") or "").strip())]

    def _record(self, line: int, events: tuple[str, str, list[tuple[str, str]]]) -> None:
        """The row's times into :attr:`raw`: each readable, written alike, given once."""
        uid, cid, pairs = events
        slot = self.raw.setdefault((uid, cid), {})
        if not any(value for _, value in pairs):
            self.bad(line, "no time on this row", "give head and/or tail")
            return
        for ev, value in pairs:
            if not value:
                continue
            column = ev if not self.long else "time"
            parsed = _time(value)
            if parsed is None:
                self.bad(line, f"cannot read time {value!r}", TIME_HINT, column)
                continue
            kind = "clock" if isinstance(parsed, ClockTime) and parsed.fixed is None else "iso"
            if self.style is None:
                self.style = kind
            elif kind != self.style:
                same = "give every time the same way"
                self.bad(line, f"{kind} time among {self.style} times", same)
                continue
            if ev in slot:
                self.bad(line, f"{uid} {ev} at {cid} is already given on line {slot[ev][1]}")
                continue
            slot[ev] = (parsed, line, column)

    def moments(self, day: dt.date, zone: ZoneInfo) -> Moments:
        """Every time as an instant on the rehearsal's ``day`` (24:MM:SS the day after)."""
        found: Moments = {}
        for key, slot in self.raw.items():
            for ev, (written, line, field) in slot.items():
                try:
                    found.setdefault(key, {})[ev] = (_instant(written, day, zone, field), line)
                except ClockError as e:
                    self.bad(line, e.message, e.hint, field)
        self.stop_if_bad()
        return found

    def measured(
        self, moments: Moments, ref: dt.datetime, day: dt.date, zone: ZoneInfo
    ) -> list[Measured]:
        """Seconds from the reference per unit and checkpoint; none far from it, no tail
        before its head."""
        rows = []
        for (uid, cid), found in moments.items():
            for ev, (moment, line) in found.items():
                if abs(seconds_between(ref, moment)) > MAX_FROM_REFERENCE_S:
                    written, _, field = self.raw[uid, cid][ev]
                    self.bad(line, *_far(written, moment, ref, day, zone), field)
            head = seconds_between(ref, found["head"][0]) if "head" in found else None
            tail = seconds_between(ref, found["tail"][0]) if "tail" in found else None
            line = min(v[1] for v in found.values())
            if head is not None and tail is not None and tail < head:
                self.problems.append(
                    Problem(f"{uid}'s tail passes {cid} before its head", file=self.file, line=line)
                )
            rows.append(Measured(uid, cid, head, tail, line))
        self.stop_if_bad()
        return rows


TIME_HINT = "use HH:MM:SS(.f), 24:MM:SS after midnight, or ISO 8601 like 2025-05-04T22:07:01+03:00"


def _time(value: str) -> Written | None:
    """A plan clock time (``HH:MM:SS``, ``24:MM:SS``, ISO with offset), or ISO without."""
    try:
        return parse_clock_time(value)
    except ValueError:
        pass
    try:
        d = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return d if d.tzinfo is None else None


def _instant(written: Written, day: dt.date, zone: ZoneInfo, field: str) -> dt.datetime:
    """The instant a time names; a wall-clock time skipped or shown twice raises."""
    if isinstance(written, ClockTime):
        return instant(written, day, zone, field)
    # An ISO date-time without offset: a wall-clock time in the plan's zone.
    return wall_instant(written.date(), written.time(), zone, field, written.isoformat())


def _run_date(
    plan: Plan,
    name: str,
    raw: dict[tuple[str, str], dict[str, tuple[Written, int, str]]],
    zone: ZoneInfo,
) -> dt.date:
    """The rehearsal's date: the plan's rehearsal named like the file, else the first ISO date."""
    for r in plan.rehearsals:
        if name in (r.id, f"rehearsal-{r.id}"):
            return r.date
    for slot in raw.values():
        for written, _, _ in slot.values():
            if isinstance(written, dt.datetime):
                return written.date()
            if written.fixed is not None:
                return written.fixed.astimezone(zone).date()
    return plan.parade.date


def _reference(
    moments: dict[tuple[str, str], dict[str, tuple[dt.datetime, int]]],
    plan: Plan,
    day: dt.date,
    zone: ZoneInfo,
    start: ClockTime | None,
    file: str,
) -> dt.datetime:
    if start is not None:
        try:
            return instant(start, day, zone, "--start")
        except ClockError as e:
            raise UserError(e.message, field="--start", hint=e.hint) from None
    first_unit = next(u.id for u in plan.units if not isinstance(u, AircraftUnit))
    first_cp = plan.route.checkpoints[0].id
    got = moments.get((first_unit, first_cp), {}).get("head")
    if got is None:
        raise UserError(
            f"cannot align the times: no head time of {first_unit} at {first_cp}",
            file=file,
            hint="give the rehearsal's start with --start HH:MM:SS",
        )
    return got[0]


def _far(
    written: Written, moment: dt.datetime, ref: dt.datetime, day: dt.date, zone: ZoneInfo
) -> tuple[str, str]:
    """Message and hint for a time more than 12 h from the reference."""
    message = (
        f"{written} ({iso(moment)}) is more than 12 h from the rehearsal's reference "
        f"{plan_spelling(ref, day, zone)} ({iso(ref)})"
    )
    if isinstance(written, ClockTime) and written.fixed is None and written.days == 0:
        later = ClockTime(written.wall, days=1)
        return message, f"a time after midnight is written {later}"
    return message, "check the date, or give the rehearsal's start with --start"


def _near(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
    if close:
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"
    return "use a unit id from the plan"


def calibrated_plan(
    text: str,
    plan: Plan,
    calibration: Calibration,
    *,
    source: Path | None = None,
    target: Path | None = None,
) -> str:
    """The plan's text with the fitted speeds (or paces) and gaps written into its units.

    Comments and layout are kept (ruamel.yaml round trip). Speeds go into
    ``speed_kmh`` (or ``pace_m`` for a formation marching by cadence), gaps
    into ``gap_m`` of units that step off behind the one ahead. Only figures
    measured on free stretches exist in ``calibration``; a unit some of whose
    times were governed by the unit ahead or a speed limit gets a comment
    saying so, and a figure that could not be measured keeps the plan's value
    with a comment giving the reason. With ``source`` (the plan's path) and
    ``target`` (where the copy goes), relative paths to the route geometry
    and the equipment catalogue are rewritten for the copy's folder.
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
        notes = [c.text for c in fit.constraints] + list(fit.left_out)
        if notes:
            _comment_before(doc["units"], where[fit.unit], fit.unit, notes)
    if source is not None and target is not None:
        _rebase_paths(doc, source.parent, target.parent)
    buf = io.StringIO()
    yaml.dump(doc, buf)
    return buf.getvalue()


def _comment_before(units: Any, index: int, uid: str, notes: list[str]) -> None:
    """A comment above the unit: what calibration could not see of it."""
    lines = [f"calibrate: {uid}: fitted on free stretches only"] + [f"  - {n}" for n in notes]
    indent = _item_indent(units)
    units.yaml_set_comment_before_after_key(index, before="\n".join(lines), indent=indent)


def _item_indent(seq: Any) -> int:
    """Column of the list's dashes (ruamel keeps it on the sequence's line info)."""
    try:
        return int(seq.lc.data[0][1]) - 2
    except (AttributeError, IndexError, KeyError, TypeError):
        return 2


def _rebase_paths(doc: Any, old: Path, new: Path) -> None:
    """Relative geometry and catalogue paths, as seen from the copy's folder."""
    route = doc.get("route")
    if isinstance(route, dict) and isinstance(route.get("geometry"), str):
        route["geometry"] = _rebased(route["geometry"], old, new)
    if isinstance(doc.get("equipment"), str):
        doc["equipment"] = _rebased(doc["equipment"], old, new)


def _rebased(ref: str, old: Path, new: Path) -> str:
    if Path(ref).is_absolute():
        return ref
    wanted = (old / ref).resolve()
    try:
        return Path(os.path.relpath(wanted, new.resolve())).as_posix()
    except ValueError:  # another drive (Windows): no relative path exists
        return wanted.as_posix()


def simulation_section(calibration: Calibration) -> str:
    """The fitted distributions as a plan's ``simulation:`` section (YAML).

    Normal distributions (mean and sd over unit-runs); a figure seen once is
    ``fixed``; one never seen is left out, so the section's default applies.
    A comment gives how many unit-runs each rests on.
    """
    lines = [
        f"# Fitted by paradeops calibrate from {len(calibration.runs)} rehearsal(s) "
        f"({', '.join(calibration.runs)}); only times the units governed themselves.",
    ]
    entries = []
    for name, d in (
        ("step_off_delay_s", calibration.step_off_delay_s),
        ("speed_factor", calibration.speed_factor),
    ):
        lines.append(f"# {name}: from {d.n} unit-run(s)")
        if d.mean is None:
            continue
        if d.sd is None:
            entries.append(f"  {name}: {{dist: fixed, value: {d.mean:.4g}}}")
        else:
            entries.append(f"  {name}: {{dist: normal, mean: {d.mean:.4g}, sd: {d.sd:.4g}}}")
    body = "simulation:\n" + "\n".join(entries) if entries else "simulation: {}"
    return "\n".join(lines) + "\n" + body + "\n"


__all__ = ["calibrated_plan", "load_run", "parse_run", "simulation_section"]
