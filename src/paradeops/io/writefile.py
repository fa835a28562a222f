"""Writing files: the one way the project writes any file it is asked to write.

Every output (``-o``, ``--ics``, ``--chart``, ``--csv``, a backup, a key
file) goes through :func:`replacing` (or :func:`write_file` on top of it):

* A path that exists and is not a regular file is refused, never replaced
  or written through: a symbolic link (never followed, whatever it points
  at), a named pipe, a device, a socket, a folder. Replacing ``/dev/null``
  or the target of a link by a plain file is how an output option breaks a
  system; the user is told to name a regular file instead.
* A regular file is replaced atomically: the data go to a temporary file in
  the same folder, which is renamed over the target only once complete, so
  readers see the old file or the new one and an interrupted write never
  leaves a truncated file under the name asked for.
* The new file gets the mode any new file gets (0666 less the umask) unless
  the caller asks for another one (0600 for a secret).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from paradeops.errors import UserError

#: A name for special files in messages.
_KINDS = (
    (stat.S_ISLNK, "a symbolic link"),
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a device"),
    (stat.S_ISBLK, "a device"),
    (stat.S_ISSOCK, "a socket"),
)


def refuse_special(path: Path, *, field: str, stdout_ok: bool = True) -> None:
    """A UserError if ``path`` exists and is not a regular file (links not followed).

    ``stdout_ok``: the option takes ``-`` for stdout, so the hint may offer it.
    """
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror}", field=field) from None
    if stat.S_ISREG(st.st_mode):
        return
    kind = next((name for test, name in _KINDS if test(st.st_mode)), "not a regular file")
    raise UserError(
        f"will not write to {path}: it is {kind}, not a regular file",
        field=field,
        hint="name a regular file (a new one, or one to replace); "
        + (
            "the name of the file, not its folder"
            if kind == "a folder"
            else "use - for stdout"
            if stdout_ok
            else "a new file name"
        ),
    )


def default_mode() -> int:
    """The mode a new file gets: 0666 less the umask."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def replacing(
    path: Path,
    *,
    field: str,
    mode: int | None = None,
    keep_existing: bool = False,
    stdout_ok: bool = True,
) -> Iterator[Path]:
    """A temporary file beside ``path`` to fill; it becomes ``path`` when the block ends.

    ``path`` must be a regular file or not exist (checked before and again
    right before the rename). On an exception the temporary file is removed
    and ``path`` is untouched. ``keep_existing``: if ``path`` exists by then
    (another process made it first), leave it and drop ours. ``stdout_ok``:
    the option takes ``-`` (only changes the hint of a refusal).
    """
    refuse_special(path, field=field, stdout_ok=stdout_ok)
    parent = path.parent
    if not parent.is_dir():
        raise UserError(f"folder {parent} does not exist", field=field, hint="create it first")
    try:
        fd, name = tempfile.mkstemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise UserError(f"cannot write {path}: {e.strerror}", field=field) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        try:
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, default_mode() if mode is None else mode)
            # Again: a link or a pipe made meanwhile is not replaced either.
            refuse_special(path, field=field, stdout_ok=stdout_ok)
            if keep_existing:
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)
            else:
                os.replace(tmp, path)
        except OSError as e:
            raise UserError(f"cannot write {path}: {e.strerror}", field=field) from None
    finally:
        tmp.unlink(missing_ok=True)


def write_file(
    path: Path,
    data: str | bytes,
    *,
    field: str,
    mode: int | None = None,
    keep_existing: bool = False,
    stdout_ok: bool = True,
) -> None:
    """Write ``data`` (text as UTF-8) to the regular file ``path`` atomically."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(
        path, field=field, mode=mode, keep_existing=keep_existing, stdout_ok=stdout_ok
    ) as tmp:
        try:
            with open(tmp, "wb") as f:
                f.write(raw)
        except OSError as e:
            raise UserError(f"cannot write {path}: {e.strerror}", field=field) from None
