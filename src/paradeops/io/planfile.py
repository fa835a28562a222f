"""Reading plan files: the text (bounded, regular files only), the files it names, line numbers."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from paradeops.errors import Problem, UserError
from paradeops.model.checks import plan_issues
from paradeops.model.equipment import equipment_issues, index
from paradeops.model.geometry import LonLat, beyond_end, linestring, project, route_length_m
from paradeops.model.input_types import MAX_LENGTH_M
from paradeops.model.music import music_issues
from paradeops.model.plan import Plan
from paradeops.model.rehearsals import rehearsal_issues
from paradeops.model.yamlsource import (
    DEFAULT_LIMITS,
    MAX_INPUT_BYTES,
    Locator,
    ReadLimits,
    check_size,
    field_path,
    parse_json,
    parse_yaml,
    problems_from,
)

#: A checkpoint given as lon/lat further than this from the route is a mistake.
MAX_OFF_ROUTE_M = 75.0


def read_text(path: Path, limit: int = MAX_INPUT_BYTES) -> str:
    """A user's file as UTF-8 text; see :func:`read_bytes` for what is refused."""
    return decode_text(read_bytes(path, limit), str(path))


def decode_text(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UserError(
            f"not UTF-8 text (byte {e.start})", file=name, hint="save the file as UTF-8"
        ) from None


def read_bytes(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """A regular file's bytes, its size checked before it is read.

    A named pipe, a device or a folder given as a file is refused instead of
    blocking or reading forever: the kind is checked before opening (stat),
    the file is opened non-blocking, and checked again on what was opened
    (fstat), so a file swapped in between is caught too.
    """
    name = str(path)
    if "\0" in name:  # os.stat would raise a bare ValueError
        raise UserError(
            "the file name contains a NUL character (\\0)",
            file=shown_path(name),
            hint="check the path; no file name can contain one",
        )
    try:
        before = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise UserError("no such file", file=name, hint="check the path") from None
    except OSError as e:
        raise UserError(f"cannot read: {e.strerror}", file=name) from None
    _regular_file(before, name)
    check_size(before.st_size, name, limit)
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK | _NOCTTY | os.O_CLOEXEC)
    except OSError as e:
        raise UserError(f"cannot read: {e.strerror}", file=name) from None
    with os.fdopen(fd, "rb") as f:
        opened = os.fstat(f.fileno())
        _regular_file(opened, name)
        if (opened.st_dev, opened.st_ino) != (before.st_dev, before.st_ino):
            raise UserError("the file was replaced while being opened", file=name,
                            hint="try again")
        check_size(opened.st_size, name, limit)
        try:
            data = f.read(limit + 1)
        except OSError as e:
            raise UserError(f"cannot read: {e.strerror}", file=name) from None
    check_size(len(data), name, limit)  # it grew after the check
    return data


def shown_path(name: str) -> str:
    """A path for a message: a NUL (which no file name holds) written as ``\\0``."""
    return name.replace("\0", "\\0")


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOCTTY = getattr(os, "O_NOCTTY", 0)


def _regular_file(st: os.stat_result, name: str) -> None:
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise UserError("is a folder, not a file", file=name, hint="give the file itself")
    kind = (
        "a named pipe" if stat.S_ISFIFO(mode)
        else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket" if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise UserError(
        f"is {kind}, not a file",
        file=name,
        hint="save the data to a file first and give that file",
    )


class PlanFiles(Protocol):
    """Where the files a plan names (``route.geometry``, ``equipment:``) come from.

    The CLI reads them beside the plan (:class:`FolderFiles`); the service
    takes them from the upload or its catalogue folder, never from a path.
    """

    def read(self, field: str, ref: str) -> tuple[str, str]:
        """(name for messages, text) of the file named ``ref`` in ``field``.

        Raises UserError (without a file: it is the plan's) when there is none.
        """
        ...


@dataclass(frozen=True)
class FolderFiles:
    """The CLI's rule: a file a plan names is relative to the plan's folder."""

    folder: Path
    limits: ReadLimits = DEFAULT_LIMITS

    def read(self, field: str, ref: str) -> tuple[str, str]:
        path = self.folder / ref
        if not path.exists():
            what = "geometry file" if field == "route.geometry" else "equipment catalogue"
            raise UserError(
                f"{what} {ref!r} does not exist", hint=f"looked for {shown_path(str(path))}"
            )
        return str(path), read_text(path, self.limits.max_bytes)


class NoFiles:
    """Text on its own (tests, tools): a plan may name no file."""

    def read(self, field: str, ref: str) -> tuple[str, str]:
        what = "geometry file" if field == "route.geometry" else "catalogue file"
        hint = (
            "give checkpoints at_m, or upload the plan with its geometry"
            if field == "route.geometry"
            else "list the catalogue inline under `equipment:`"
        )
        raise UserError(f"{what} {ref!r} cannot be read here", hint=hint)


def load_plan(path: Path | str) -> Plan:
    path = Path(path)
    return parse_plan(read_text(path), str(path), files=FolderFiles(path.parent))


def parse_plan(
    text: str,
    file: str,
    *,
    files: PlanFiles | None = None,
    limits: ReadLimits = DEFAULT_LIMITS,
) -> Plan:
    """Parse and check a whole plan; every problem is reported at once.

    ``files`` supplies the geometry and catalogue the plan names; without it
    a plan may name none.
    """
    files = files or NoFiles()
    data, locator = parse_yaml(text, file, limits)
    problems: list[Problem] = []
    plan: Plan | None = None
    try:
        plan = Plan.model_validate(data)
    except ValidationError as e:
        problems.extend(problems_from(e, locator, file))

    route = data.get("route") if isinstance(data, dict) else None
    ref = route.get("geometry") if isinstance(route, dict) else None
    # With a geometry named, an unreadable one is reported once, not again
    # for every lon/lat checkpoint that could not be placed on it.
    has_geometry = isinstance(ref, str)
    positions = _positions(route, files, limits, locator, file, problems)
    from paradeops.io import catalogue

    entries, found = catalogue.resolve(data, locator, file, files, limits)
    problems.extend(found)
    issues = [
        *plan_issues(data, has_geometry=has_geometry, positions=positions),
        *equipment_issues(data, None if entries is None else index(entries)),
        *music_issues(data),
        *rehearsal_issues(data),
    ]
    for loc, message, hint in issues:
        problems.append(_problem(loc, message, hint, locator, file))
    if problems or plan is None:
        raise UserError(problems=_unique(problems))
    catalogue.apply(plan, entries)
    for i, along in positions.items():
        plan.route.checkpoints[i].at_m = along
    plan._locate = locator.line
    return plan


def _positions(
    route: Any,
    files: PlanFiles,
    limits: ReadLimits,
    locator: Locator,
    file: str,
    problems: list[Problem],
) -> dict[int, float]:
    """Checkpoints given as lon/lat placed on the route's geometry [m along it], by index.

    Problems (an unreadable geometry, a checkpoint off the route) go to ``problems``.
    """
    ref = route.get("geometry") if isinstance(route, dict) else None
    if not isinstance(ref, str) or not isinstance(route, dict):
        return {}
    try:
        line = _read_geometry(ref, files, limits)
    except UserError as e:
        # A problem inside the geometry file is located in it; one of reading
        # it (missing, refused) at the plan's route.geometry.
        at = locator.line(("route", "geometry"))
        problems.extend(
            p if p.file else Problem(p.message, file, at, "route.geometry", p.hint)
            for p in e.problems
        )
        return {}
    cps = route.get("checkpoints")
    problems.extend(
        _problem(("route", "checkpoints", i, "at_m"), msg, _BEYOND_HINT, locator, file)
        for i, msg in beyond_end(_at_m(cps), route_length_m(line))
    )
    positions, off_route = _place(cps, line)
    problems.extend(
        _problem(("route", "checkpoints", i), msg, hint, locator, file)
        for i, msg, hint in off_route
    )
    return positions


_BEYOND_HINT = "check at_m and its unit (metres from the start of the route), or the geometry"


def _at_m(checkpoints: Any) -> list[Any]:
    items = checkpoints if isinstance(checkpoints, list) else []
    return [c.get("at_m") if isinstance(c, dict) else None for c in items]


def _place(
    checkpoints: Any, line: list[LonLat]
) -> tuple[dict[int, float], list[tuple[int, str, str]]]:
    """Distances along the route of checkpoints given as lon/lat (no at_m)."""
    positions: dict[int, float] = {}
    problems = []
    for i, c in enumerate(checkpoints if isinstance(checkpoints, list) else []):
        if not isinstance(c, dict) or c.get("at_m") is not None:
            continue
        lon, lat = c.get("lon"), c.get("lat")
        if not isinstance(lon, int | float) or not isinstance(lat, int | float):
            continue
        p = project(line, (float(lon), float(lat)))
        positions[i] = round(p.along_m, 2)
        if not p.along_m <= MAX_LENGTH_M:  # the bound of at_m (Metres), NaN included
            problems.append(
                (
                    i,
                    f"checkpoint {c.get('id')!r} is {p.along_m / 1000:.0f} km along the route, "
                    f"over the longest route accepted ({MAX_LENGTH_M / 1000:.0f} km)",
                    "check the route geometry and lon/lat: a parade route is a few km",
                )
            )
        elif p.off_m > MAX_OFF_ROUTE_M:
            problems.append(
                (
                    i,
                    f"checkpoint {c.get('id')!r} is {p.off_m:.0f} m from the route",
                    "check lon/lat (GeoJSON order is lon, lat) or the route geometry",
                )
            )
    return positions, problems


def _read_geometry(ref: str, files: PlanFiles, limits: ReadLimits) -> list[LonLat]:
    name, text = files.read("route.geometry", ref)
    return linestring(parse_json(text, name, limits), name)


def _problem(
    loc: tuple[str | int, ...], message: str, hint: str, locator: Locator, file: str
) -> Problem:
    return Problem(message, file=file, line=locator.line(loc), field=field_path(loc), hint=hint)


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[Problem] = set()
    out = []
    for p in problems:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return out


__all__ = [
    "FolderFiles",
    "NoFiles",
    "PlanFiles",
    "decode_text",
    "linestring",
    "load_plan",
    "parse_plan",
    "read_bytes",
    "read_text",
]
