"""Checking an uploaded plan with the very code the CLI runs, for the very same messages.

The upload is written to a private temporary folder under its own file name
and read with :func:`paradeops.io.planfile.read_text` and
:func:`~paradeops.io.planfile.parse_plan`, exactly as ``paradeops validate``
reads a file in the current folder; the folder's path is then cut from the
messages. A geometry file comes only from the same upload (multipart) and is
looked for only under a plain file name, so ``route.geometry:
../../etc/passwd`` can never read the server's files.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from paradeops.errors import Problem, UserError
from paradeops.io.planfile import parse_plan, read_text
from paradeops.model.plan import Plan
from paradeops.model.yamlsource import MAX_INPUT_BYTES, check_size, parse_yaml
from paradeops.service.errors import TooLarge
from paradeops.timing.engine import schedule as compute_schedule
from paradeops.timing.schedule import Schedule


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    geometry_name: str | None = None
    geometry: bytes | None = None


def safe_name(name: str | None, default: str) -> str:
    """The last part of a client's file name, or ``default``."""
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    # A NUL or control character cannot be part of a file name on disk.
    if not base or base in (".", "..") or len(base) > 200 or not base.isprintable():
        return default
    return base


def too_large(size: int, filename: str) -> None:
    """The CLI's message for a file over the limit, as a 413."""
    try:
        check_size(size, filename)
    except UserError as e:
        raise TooLarge(problems=e.problems) from None


def check(up: Upload) -> tuple[Plan, Schedule, str, str | None]:
    """Plan, schedule and the texts to store; UserError with the CLI's message otherwise."""
    too_large(len(up.data), up.filename)
    if up.geometry_name is not None and up.geometry_name == up.filename:
        raise UserError(
            "the plan and its geometry have the same file name",
            file=up.filename,
            hint="upload them under different names, as the plan refers to them",
        )
    if up.geometry is not None:
        too_large(len(up.geometry), up.geometry_name or "geometry")
    with tempfile.TemporaryDirectory(prefix="paradeops-upload-") as tmp:
        folder = Path(tmp)
        try:
            return _check(up, folder)
        except UserError as e:
            raise _without_folder(e, folder) from None


def _check(up: Upload, folder: Path) -> tuple[Plan, Schedule, str, str | None]:
    path = folder / up.filename
    path.write_bytes(up.data)
    geometry_text = None
    if up.geometry is not None and up.geometry_name:
        (folder / up.geometry_name).write_bytes(up.geometry)
        geometry_text = read_text(folder / up.geometry_name)
    text = read_text(path)
    # Where the plan names its geometry decides where it may be looked for.
    data, _ = parse_yaml(text, str(path))
    route = data.get("route") if isinstance(data, dict) else None
    ref = route.get("geometry") if isinstance(route, dict) else None
    plain = isinstance(ref, str) and PurePosixPath(ref).name == ref and ref not in ("", ".", "..")
    plan = parse_plan(text, str(path), base_dir=folder if plain else None)
    try:
        sched = compute_schedule(plan)
    except UserError as e:
        raise e.with_file(str(path)) from None
    return plan, sched, text, geometry_text


def _without_folder(e: UserError, folder: Path) -> UserError:
    prefix = str(folder) + "/"

    def cut(s: str | None) -> str | None:
        return None if s is None else s.replace(prefix, "")

    problems = [
        Problem(cut(p.message) or "", cut(p.file), p.line, p.field, cut(p.hint)) for p in e.problems
    ]
    return (TooLarge if isinstance(e, TooLarge) else UserError)(problems=problems)


__all__ = ["MAX_INPUT_BYTES", "Upload", "check", "safe_name", "too_large"]
