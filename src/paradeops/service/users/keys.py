"""The token-signing key: outside the database, in a 0600 file or the environment.

A copy of the database (a backup) must not be enough to mint tokens, so the
key lives in a file beside the database (``<name>.key`` for an SQLite file,
``paradeops.key`` in the working folder otherwise), or in
``PARADEOPS_SECRET_KEY`` (hex or base64, at least 32 bytes; required when
several processes serve one database, so that they all share it).

``paradeops secret rotate`` replaces the file atomically; a running service
looks at the file again every :data:`RECHECK_S` seconds and takes the new key.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from paradeops.errors import UserError
from paradeops.io.keyfile import parse_key as _parse_key
from paradeops.io.keyfile import read_key_file, write_key_file
from paradeops.store.db import normalise_url

ENV = "PARADEOPS_SECRET_KEY"
#: How often a running service looks for a rotated key file [s].
RECHECK_S = 2.0
_FIELD = "--secret-key-file"
_HINT = 'make one with: python -c "import secrets; print(secrets.token_hex(32))"'


def default_key_file(database_url: str) -> Path:
    """``<name>.key`` beside an SQLite file, else ``paradeops.key`` in the working folder."""
    url = make_url(normalise_url(database_url))
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(str(url.database)).with_suffix(".key")
    return Path("paradeops.key").resolve()


def parse_key(text: str, origin: str) -> bytes:
    """Hex or base64 text → at least 32 bytes of key (:func:`paradeops.io.keyfile.parse_key`)."""
    return _parse_key(text, origin, hint=_HINT)


def _read_file(path: Path) -> tuple[bytes, tuple[int, int, int]]:
    """The key in ``path`` and the file's identity (inode, mtime, size)."""
    try:
        return read_key_file(path, field=_FIELD, noun="key file", hint=_HINT)
    except FileNotFoundError as e:
        raise UserError(f"cannot read the key file {path}: {e.strerror}", field=_FIELD) from None


def write_new_key(path: Path) -> None:
    """A fresh key in ``path``, 0600, atomically (readers see the old key or the new one)."""
    write_key_file(path, field=_FIELD)


def _create_if_missing(path: Path) -> None:
    """Create the key file unless it exists; two services starting at once agree on one."""
    if not path.exists():
        write_key_file(path, field=_FIELD, keep_existing=True)


class SigningKey:
    """The current key; re-reads its file (if any) when it changed, at most every few seconds."""

    def __init__(self, path: Path | None, env_value: str | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        if env_value is not None:
            self._key = parse_key(env_value, ENV)
            self._identity: tuple[int, int, int] | None = None
        else:
            assert path is not None
            _create_if_missing(path)
            self._key, self._identity = _read_file(path)
        self._checked = time.monotonic()

    @property
    def from_environment(self) -> bool:
        return self.path is None

    def current(self) -> bytes:
        if self.path is None or time.monotonic() - self._checked < RECHECK_S:
            return self._key
        with self._lock:
            self._checked = time.monotonic()
            try:
                st = os.stat(self.path)
                if (st.st_ino, st.st_mtime_ns, st.st_size) != self._identity:
                    self._key, self._identity = _read_file(self.path)
            except (OSError, UserError):
                # Mid-rotation or a bad edit: keep signing with the key we have
                # rather than take the service down; rotation writes atomically.
                pass
        return self._key


_keys: dict[tuple[str | None, Path | None], SigningKey] = {}
_keys_lock = threading.Lock()


def signing_key(key_file: Path | None, database_url: str) -> SigningKey:
    """The key for a service (one object per source, shared by the process's apps)."""
    env_value = os.environ.get(ENV) or None
    path = None if env_value else (key_file or default_key_file(database_url)).resolve()
    with _keys_lock:
        key = _keys.get((env_value, path))
        if key is None:
            key = _keys[(env_value, path)] = SigningKey(path, env_value)
        return key


#: The key each database's service signs with, set when its app is made.
_by_database: dict[str, SigningKey] = {}


def use_for(database_url: str, key: SigningKey) -> None:
    _by_database[database_url] = key


def key_for(database_url: str, key_file: Path | None = None) -> SigningKey:
    """The key registered for this database, else the one its settings name."""
    key = _by_database.get(database_url)
    return key if key is not None else signing_key(key_file, database_url)
