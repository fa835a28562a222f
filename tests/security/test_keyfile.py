"""Key files (sign-in key and badge key share them): the text forms, the 0600 rule."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from paradeops.errors import UserError
from paradeops.io.keyfile import parse_key, read_key_file, write_key_file

# 0xFB 0xFF repeated: base64 "+/" in the standard alphabet, "-_" in the URL-safe one.
KEY = b"\xfb\xff" * 16


@pytest.mark.parametrize(
    "text",
    [
        KEY.hex(),
        KEY.hex().upper(),
        base64.b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode(),
        base64.urlsafe_b64encode(KEY).decode().rstrip("="),
        "  " + base64.b64encode(KEY).decode() + "\n",
    ],
    ids=["hex", "HEX", "base64", "urlsafe", "urlsafe-unpadded", "spaces"],
)
def test_every_text_form_gives_the_same_key(text: str) -> None:
    assert "-" in base64.urlsafe_b64encode(KEY).decode()  # the case that used to lose bytes
    assert parse_key(text, "key", hint="h") == KEY


@pytest.mark.parametrize("text", ["", "abc", (b"x" * 31).hex(), "not a key at all!"])
def test_short_or_garbled_keys_are_refused(text: str) -> None:
    with pytest.raises(UserError, match="at least 32 bytes"):
        parse_key(text, "PARADEOPS_X", hint="make one")


def test_a_written_key_reads_back_and_only_its_owner_may_read_it(tmp_path: Path) -> None:
    path = tmp_path / "k" / "a.key"
    write_key_file(path, field="--key")
    assert path.stat().st_mode & 0o777 == 0o600
    key, identity = read_key_file(path, field="--key", noun="key file", hint="h")
    assert len(key) == 32 and identity[0] == path.stat().st_ino
    path.chmod(0o644)
    with pytest.raises(UserError, match="may be read by others") as e:
        read_key_file(path, field="--key", noun="badge key", hint="h")
    assert "the badge key" in str(e.value) and "chmod 600" in (e.value.problems[0].hint or "")
    with pytest.raises(FileNotFoundError):
        read_key_file(tmp_path / "none.key", field="--key", noun="key file", hint="h")


def test_keep_existing_never_replaces_a_key(tmp_path: Path) -> None:
    path = tmp_path / "a.key"
    write_key_file(path, field="--key")
    first = path.read_text()
    write_key_file(path, field="--key", keep_existing=True)
    assert path.read_text() == first
