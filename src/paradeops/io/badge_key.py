"""The badge key: signs the tokens of guest badges; a 0600 file or ``PARADEOPS_BADGE_KEY``.

It is not the sign-in key, so that ``paradeops secret rotate`` (which ends
every sign-in) leaves printed badges valid. Its file sits beside the
service's key file: ``<name>.badge.key`` for ``<name>.key``
(``paradeops.badge.key`` for the default database). ``PARADEOPS_BADGE_KEY``
(hex or base64, at least 32 bytes) takes precedence over any file. Nothing
here creates the key behind the user's back: a badge printed under a key
made up on the spot would be refused at the tribune by a service holding
another. ``paradeops secret rotate --badge`` makes it (and voids every badge
printed under the one it replaces).
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import stat
from pathlib import Path

from paradeops.errors import UserError
from paradeops.io.writefile import write_file

__all__ = ["DEFAULT_FILE", "ENV", "beside", "load_badge_key", "write_badge_key"]

ENV = "PARADEOPS_BADGE_KEY"
MIN_BYTES = 32
#: Beside the default database's key file (``paradeops.key``), in the working folder.
DEFAULT_FILE = Path("paradeops.badge.key")
_CREATE = "paradeops secret rotate --badge"


def beside(key_file: Path) -> Path:
    """The badge key's file for the sign-in key file ``key_file``."""
    return key_file.with_suffix(".badge.key")


def _parse(text: str, origin: str) -> bytes:
    text = text.strip()
    key: bytes | None = None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        try:
            key = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "==")
        except (binascii.Error, ValueError):
            key = None
    if key is None or len(key) < MIN_BYTES:
        raise UserError(
            f"{origin}: not a key of at least {MIN_BYTES} bytes in hex or base64",
            hint=f"make a new one with `{_CREATE}` (badges printed before it are void)",
        )
    return key


def load_badge_key(path: Path, field: str = "--badge-key-file") -> bytes:
    """The badge key: ``PARADEOPS_BADGE_KEY``, else the file ``path`` (0600)."""
    env_value = os.environ.get(ENV)
    if env_value:
        return _parse(env_value, ENV)
    try:
        with open(path, "rb") as f:
            mode = os.fstat(f.fileno()).st_mode
            text = f.read(4096).decode("ascii", errors="replace")
    except FileNotFoundError:
        raise UserError(
            f"there is no badge key: {path} does not exist and {ENV} is not set",
            field=field,
            hint=f"create one with `{_CREATE} --badge-key-file {path}`, and give the "
            "service the same file (or the same value in " + ENV + ")",
        ) from None
    except OSError as e:
        raise UserError(f"cannot read the badge key {path}: {e.strerror}", field=field) from None
    if mode & 0o077:
        raise UserError(
            f"the badge key {path} may be read by others (mode {stat.S_IMODE(mode):o})",
            field=field,
            hint=f"chmod 600 {path}",
        )
    return _parse(text, str(path))


def write_badge_key(path: Path) -> None:
    """A fresh badge key in ``path``, 0600, atomically (replacing any before it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(
        path,
        secrets.token_hex(MIN_BYTES) + "\n",
        field="--badge-key-file",
        mode=0o600,
        stdout_ok=False,
    )
