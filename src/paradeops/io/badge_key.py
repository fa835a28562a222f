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

import os
from pathlib import Path

from paradeops.errors import UserError
from paradeops.io.keyfile import parse_key, read_key_file, write_key_file

__all__ = ["DEFAULT_FILE", "ENV", "beside", "load_badge_key", "write_badge_key"]

ENV = "PARADEOPS_BADGE_KEY"
#: Beside the default database's key file (``paradeops.key``), in the working folder.
DEFAULT_FILE = Path("paradeops.badge.key")
_CREATE = "paradeops secret rotate --badge"
_HINT = f"make a new one with `{_CREATE}` (badges printed before it are void)"


def beside(key_file: Path) -> Path:
    """The badge key's file for the sign-in key file ``key_file``."""
    return key_file.with_suffix(".badge.key")


def load_badge_key(path: Path, field: str = "--badge-key-file") -> bytes:
    """The badge key: ``PARADEOPS_BADGE_KEY``, else the file ``path`` (0600)."""
    env_value = os.environ.get(ENV)
    if env_value:
        return parse_key(env_value, ENV, hint=_HINT)
    try:
        key, _ = read_key_file(path, field=field, noun="badge key", hint=_HINT)
    except FileNotFoundError:
        raise UserError(
            f"there is no badge key: {path} does not exist and {ENV} is not set",
            field=field,
            hint=f"create one with `{_CREATE} --badge-key-file {path}`, and give the "
            "service the same file (or the same value in " + ENV + ")",
        ) from None
    return key


def write_badge_key(path: Path) -> None:
    """A fresh badge key in ``path``, 0600, atomically (replacing any before it)."""
    write_key_file(path, field="--badge-key-file")
