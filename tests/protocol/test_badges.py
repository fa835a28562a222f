"""Badge tokens and who gets a badge (the pure core of ``print --what badges`` and the scan)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from paradeops.protocol.badges import BadBadge, badge_guests, make_token, read_token
from paradeops.protocol.ledger import Status

from .conftest import book, guest

KEY = bytes(range(32))


def by_hand(key: bytes, event: str, gid: str) -> str:
    message = b"paradeops-badge-v1\x00" + event.encode() + b"\x00" + gid.encode()
    tag = hmac.new(key, message, hashlib.sha256).digest()[:16]
    return f"PB1:{gid}:{base64.urlsafe_b64encode(tag).decode().rstrip('=')}"


@pytest.mark.parametrize("gid", ["la-president", "g.1_x", "g-гость"])
def test_a_token_is_its_definition_and_reads_back(gid: str) -> None:
    made = make_token(KEY, "Parade", gid)
    assert made == by_hand(KEY, "Parade", gid)
    assert len(made) == len(f"PB1:{gid}:") + 22  # 16 bytes, unpadded base64
    assert read_token(KEY, "Parade", f" {made}\r\n\t") == gid  # what a scanner types


def test_no_event_signs_as_the_empty_text() -> None:
    assert make_token(KEY, None, "a") == by_hand(KEY, "", "a")


def test_every_changed_character_of_the_tag_is_refused() -> None:
    made = make_token(KEY, "Parade", "a")
    head, tag = made[:-22], made[-22:]
    for i in range(22):
        other = "B" if tag[i] != "B" else "C"
        with pytest.raises(BadBadge, match="signature does not match"):
            read_token(KEY, "Parade", head + tag[:i] + other + tag[i + 1 :])


@pytest.mark.parametrize(
    ("key", "event", "text"),
    [
        (bytes(32), "Parade", make_token(KEY, "Parade", "a")),  # another key
        (KEY, "Parade 2024", make_token(KEY, "Parade", "a")),  # another event
        (KEY, "Parade", make_token(KEY, "Parade", "a").replace(":a:", ":b:")),  # another guest
    ],
    ids=["key", "event", "guest"],
)
def test_a_signature_for_something_else_is_refused(key: bytes, event: str, text: str) -> None:
    with pytest.raises(BadBadge, match="signature does not match"):
        read_token(key, event, text)


@pytest.mark.parametrize(
    "text",
    ["", "PB1:a", "PB2:a:" + "A" * 22, "PB1:a:" + "A" * 21, "PB1:a:" + "A" * 23, "PB1:a:b:" + "A" * 22,
     "PB1:-a:" + "A" * 22, "PB1:a:" + "A" * 21 + "=", "PB1:" + "a" * 300 + ":" + "A" * 22],
)  # fmt: skip
def test_what_is_not_of_the_shape_is_not_a_badge(text: str) -> None:
    with pytest.raises(BadBadge, match="^not a ParadeOps badge$"):
        read_token(KEY, "Parade", text)


def test_who_gets_a_badge() -> None:
    """Everyone but the cancelled and the declined, in the book's order; an interpreter
    follows a principal without events of their own; a cancellation taken back counts."""
    guests = [guest(g) for g in ("listed", "invited", "declined", "cancelled", "back", "chief")]
    guests.append(guest("interp", interpreter_for="chief"))
    events = [
        {"guest": "invited", "at": "2025-04-01", "kind": "invited"},
        {"guest": "declined", "at": "2025-04-01", "kind": "declined"},
        {"guest": "cancelled", "at": "2025-04-01", "kind": "confirmed"},
        {"guest": "cancelled", "at": "2025-04-02", "kind": "cancelled"},
        {"guest": "back", "at": "2025-04-01", "kind": "confirmed"},
        {"guest": "back", "at": "2025-04-02", "kind": "cancelled"},
        {"guest": "back", "at": "2025-04-03", "kind": "confirmed"},
        {"guest": "chief", "at": "2025-04-01", "kind": "declined"},
    ]
    got = [(b.guest.id, b.status) for b in badge_guests(book(guests, events))]
    assert got == [("listed", Status.listed), ("invited", Status.invited),
                   ("back", Status.confirmed)]  # fmt: skip


def test_a_token_has_one_spelling() -> None:
    """The last of the 22 characters carries 4 unused bits: another character with the
    same 2 used bits decodes to the same tag, and is refused all the same."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    made = make_token(KEY, "Parade", "a")
    at = alphabet.index(made[-1])
    twin = alphabet[(at & ~0xF) | ((at + 1) & 0xF)]
    assert base64.urlsafe_b64decode(made[-22:-1] + twin + "==") == base64.urlsafe_b64decode(
        made[-22:] + "=="
    )
    with pytest.raises(BadBadge, match="signature does not match"):
        read_token(KEY, "Parade", made[:-1] + twin)
