"""Key files: at least 32 bytes of key in hex or base64, in a file only its owner reads.

Shared by the sign-in key (``paradeops.service.users.keys``) and the badge
key (``paradeops.io.badge_key``): the same text form, the same 0600 rule, the
same atomic write. What differs — the option that names the file, what the
key is called in messages, how to make a new one — the callers say.
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

__all__ = ["MIN_BYTES", "parse_key", "read_key_file", "write_key_file"]

MIN_BYTES = 32
#: More than any key's text: a file that is not a key is not read whole.
_READ_LIMIT = 4096


def parse_key(text: str, origin: str, *, hint: str) -> bytes:
    """Hex or base64 (standard or URL-safe, padded or not) → at least
    :data:`MIN_BYTES` bytes of key; a UserError naming ``origin`` otherwise."""
    text = text.strip()
    key: bytes | None = None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        # One alphabet: the standard decoder would drop '-' and '_' silently.
        urlsafe = text.replace("+", "-").replace("/", "_")
        try:
            key = base64.urlsafe_b64decode(urlsafe + "=" * (-len(urlsafe) % 4))
        except (binascii.Error, ValueError):
            key = None
    if key is None or len(key) < MIN_BYTES:
        raise UserError(
            f"{origin}: not a key of at least {MIN_BYTES} bytes in hex or base64", hint=hint
        )
    return key


def read_key_file(
    path: Path, *, field: str, noun: str, hint: str
) -> tuple[bytes, tuple[int, int, int]]:
    """The key in ``path`` and the file's identity (inode, mtime, size).

    A file others may read is refused (``chmod 600``); a missing file raises
    ``FileNotFoundError`` for the caller to say what to do; any other
    failure is a UserError naming ``field``. ``noun`` is what the key is
    called in messages, ``hint`` how to make a new one.
    """
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if st.st_mode & 0o077:
                raise UserError(
                    f"the {noun} {path} may be read by others (mode {stat.S_IMODE(st.st_mode):o})",
                    field=field,
                    hint=f"chmod 600 {path}",
                )
            text = f.read(_READ_LIMIT).decode("ascii", errors="replace")
    except FileNotFoundError:
        raise
    except OSError as e:
        raise UserError(f"cannot read the {noun} {path}: {e.strerror}", field=field) from None
    return parse_key(text, str(path), hint=hint), (st.st_ino, st.st_mtime_ns, st.st_size)


def write_key_file(path: Path, *, field: str, keep_existing: bool = False) -> None:
    """A fresh key in ``path``, 0600, atomically: readers see the old key or the
    new one. ``keep_existing``: linked into place, never replacing, so that of
    two processes creating it at once the first one's stands."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_file(
        path,
        secrets.token_hex(MIN_BYTES) + "\n",
        field=field,
        mode=0o600,
        keep_existing=keep_existing,
        stdout_ok=False,
    )
