"""Writing results: all or nothing, never a half-written file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Literal

from paradeops.cli.app import out
from paradeops.errors import UserError


def image_format(path: Path, *, field: str, what: str) -> Literal["png", "svg"]:
    """The image format a file name asks for; a UserError before any work if neither."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt == "png":
        return "png"
    if fmt == "svg":
        return "svg"
    raise UserError(
        f"cannot write a {what} as {path.suffix or 'a file without extension'}",
        field=field,
        hint="name the file .png or .svg",
    )


def write_output(path: Path | None, data: str | bytes) -> None:
    """Write ``data`` to ``path`` atomically, or to stdout when ``path`` is None."""
    if path is None:
        if isinstance(data, bytes):
            raise UserError("binary output needs a file", hint="give --output FILE")
        out.file.write(data)
        out.file.flush()
        return
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise UserError(f"folder {parent} does not exist", field="--output", hint="create it first")
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        # mkstemp makes the file private (0600); give it the mode any new file gets.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror}", field="--output") from None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
