"""Checking an uploaded plan with the very code the CLI runs, for the very same messages.

The service never reads a path named inside an uploaded document. The files a
plan names travel in the upload (form fields ``geometry`` and ``equipment``):
the plan's ``route.geometry`` and ``equipment:`` are then satisfied by them,
whatever folder the plan's reference names. A catalogue may instead come from
the operator's catalogue folder (``serve --catalogue-dir``), by a plain file
name only; absolute paths, ``..`` and links out of the folder are refused
with a message that shows no file's content and does not depend on whether
any path exists. The database's own files are never opened as input.

Everything is checked before the database is touched (the caller then writes
in one short transaction), and nothing is written to disk.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from paradeops.errors import Problem, UserError
from paradeops.io.planfile import decode_text, parse_plan, read_bytes
from paradeops.model.plan import Plan
from paradeops.model.yamlsource import DEFAULT_LIMITS, MAX_INPUT_BYTES, ReadLimits, check_size
from paradeops.service.errors import TooLarge
from paradeops.timing.engine import schedule as compute_schedule
from paradeops.timing.schedule import Schedule

#: Catalogues in the operator's folder are YAML or JSON files.
CATALOGUE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class Part:
    """One file of an upload: the name it is known by in messages, and its bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes
    geometry: Part | None = None
    equipment: Part | None = None

    @property
    def size(self) -> int:
        return len(self.data) + sum(len(p.data) for p in (self.geometry, self.equipment) if p)


@dataclass(frozen=True)
class Rules:
    """What an upload may draw on besides its own parts, and how much it may ask."""

    limits: ReadLimits = DEFAULT_LIMITS
    #: The operator's folder of catalogues a plan may name (None: none).
    catalogue_dir: Path | None = None
    #: The service's own database files: never opened as input.
    protected: tuple[Path, ...] = ()


@dataclass(frozen=True)
class Stored:
    """A file a plan named, as it was read: kept with the revision."""

    name: str
    text: str


@dataclass(frozen=True)
class Checked:
    plan: Plan
    schedule: Schedule
    text: str
    geometry: Stored | None
    equipment: Stored | None


def safe_name(name: str | None, default: str) -> str:
    """The last part of a client's file name, or ``default``."""
    base = PurePosixPath((name or "").replace("\\", "/")).name.strip()
    # A NUL or control character cannot be part of a file name on disk.
    if not base or base in (".", "..") or len(base) > 200 or not base.isprintable():
        return default
    return base


def too_large(size: int, filename: str, limit: int = MAX_INPUT_BYTES) -> None:
    """The CLI's message for a file over the limit, as a 413."""
    try:
        check_size(size, filename, limit)
    except UserError as e:
        raise TooLarge(problems=e.problems) from None


def check(up: Upload, rules: Rules = Rules()) -> Checked:
    """Plan, schedule and the texts to store; UserError with the CLI's message otherwise."""
    too_large(up.size, up.filename, rules.limits.max_bytes)
    text = decode_text(up.data, up.filename)
    files = UploadFiles(up, rules)
    plan = parse_plan(text, up.filename, files=files, limits=rules.limits)
    try:
        sched = compute_schedule(plan)
    except UserError as e:
        raise e.with_file(up.filename) from None
    return Checked(plan, sched, text, files.used.get("route.geometry"), files.used.get("equipment"))


def recheck(up: Upload, rules: Rules) -> Checked:
    """A stored revision checked again; its texts were accepted once, whatever today's limit."""
    limits = dataclasses.replace(rules.limits, max_bytes=max(rules.limits.max_bytes, up.size))
    return check(up, Rules(limits=limits))


@dataclass
class UploadFiles:
    """The files a plan names, from the upload or the operator's catalogue folder."""

    up: Upload
    rules: Rules
    #: What was read, by the plan's field: stored with the revision.
    used: dict[str, Stored] = field(default_factory=dict)

    def read(self, field: str, ref: str) -> tuple[str, str]:
        found = self._geometry(ref) if field == "route.geometry" else self._catalogue(ref)
        self.used[field] = found
        return found.name, found.text

    def _geometry(self, ref: str) -> Stored:
        part = self.up.geometry
        if part is None:
            raise UserError(
                f"the geometry {_shown(ref)} was not uploaded with the plan",
                hint="send a form with the plan in the field `plan` and the GeoJSON in the "
                "field `geometry`; the service reads no file named in a plan",
            )
        return Stored(part.name, decode_text(part.data, part.name))

    def _catalogue(self, ref: str) -> Stored:
        part = self.up.equipment
        if part is not None:
            return Stored(part.name, decode_text(part.data, part.name))
        if not plain_name(ref):
            raise UserError(
                f"{_shown(ref)} is not the plain file name of a catalogue",
                hint="the service reads no path named in a plan: upload the catalogue with "
                "the plan (form field `equipment`), or name one of the service's catalogues "
                "by its file name, such as equipment.yaml",
            )
        folder = self.rules.catalogue_dir
        if folder is None:
            raise UserError(
                f"the catalogue {_shown(ref)} was not uploaded with the plan",
                hint="send it in the form field `equipment`, or list the catalogue inline "
                "under `equipment:` (this service has no catalogue folder)",
            )
        return _from_folder(folder, ref, self.rules)


def plain_name(ref: str) -> bool:
    """A file name with no folder in it, not hidden, of a catalogue's kind."""
    return (
        0 < len(ref) <= 200
        and ref.isprintable()
        and "/" not in ref
        and "\\" not in ref
        and not ref.startswith(".")
        and PurePosixPath(ref).suffix.lower() in CATALOGUE_SUFFIXES
    )


def _from_folder(folder: Path, ref: str, rules: Rules) -> Stored:
    """A catalogue of the operator's folder; every way of not finding it answers alike."""
    path = _inside(folder, ref, rules.protected)
    if path is None:
        raise UserError(
            f"the service has no catalogue named {_shown(ref)}",
            hint="upload the catalogue with the plan (form field `equipment`), or ask the "
            "operator for the names of the service's catalogues",
        )
    try:
        return Stored(ref, decode_text(read_bytes(path, rules.limits.max_bytes), ref))
    except UserError as e:
        # The operator's folder is not the uploader's business: name the file only.
        raise UserError(
            problems=[Problem(p.message, ref, p.line, p.field, p.hint) for p in e.problems]
        ) from None


def _inside(folder: Path, ref: str, protected: tuple[Path, ...]) -> Path | None:
    """The regular file ``ref`` of ``folder``, links followed, if it stays inside it."""
    try:
        root = folder.resolve(strict=True)
        path = (root / ref).resolve(strict=True)
        found = os.stat(path)
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not stat.S_ISREG(found.st_mode):
        return None
    if any(_same_file(found, p) for p in protected):
        return None
    return path


def _same_file(found: os.stat_result, path: Path) -> bool:
    try:
        other = os.stat(path)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (other.st_dev, other.st_ino)


def database_files(sqlite_path: str | None) -> tuple[Path, ...]:
    """An SQLite database and its companions: opening and closing any of them in
    the server's process would drop SQLite's locks (finding 1 of issue 9)."""
    if not sqlite_path:
        return ()
    base = Path(sqlite_path)
    return (base, *(Path(f"{base}{suffix}") for suffix in ("-wal", "-shm", "-journal")))


def _shown(ref: str) -> str:
    return repr(ref) if len(ref) <= 80 else repr(ref[:77] + "...")


__all__ = [
    "MAX_INPUT_BYTES",
    "Checked",
    "Part",
    "Rules",
    "Stored",
    "Upload",
    "check",
    "database_files",
    "plain_name",
    "recheck",
    "safe_name",
    "too_large",
]
