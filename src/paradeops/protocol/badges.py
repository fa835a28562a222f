"""Guest badges: the signed token a badge's QR code carries, and who gets a badge (pure).

A token is ``PB1:<guest id>:<tag>``: the tag is the first 16 bytes of
HMAC-SHA256 over the guest id *and the guest book's* ``event:`` text, under
the badge key, in unpadded base64url (22 characters). Binding the event
keeps last year's badge of a guest with the same id out of this year's
tribune when the key was kept. Guest ids never hold ``:``, so the token
splits without ambiguity; the whole token is a few dozen bytes, a small QR
code.

The badge key is not the sign-in key: rotating the service's sign-in key
(``paradeops secret rotate``) leaves printed badges valid; rotating the badge
key (``--badge``) voids every badge printed before.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass

from paradeops.protocol.guests import Guest, GuestBook
from paradeops.protocol.ledger import Status, status_as_of

__all__ = [
    "NO_BADGE",
    "PREFIX",
    "BadBadge",
    "BadgeGuest",
    "badge_guests",
    "make_token",
    "read_token",
]

PREFIX = "PB1"
#: Statuses that get no badge: they will not come.
NO_BADGE = frozenset({Status.cancelled, Status.declined})
#: A token is well under this; anything longer is not one of ours (and is not hashed).
MAX_TOKEN = 200
_TAG_BYTES = 16
_SHAPE = re.compile(r"PB1:([A-Za-z0-9][\w.\-]{0,79}):([A-Za-z0-9_-]{22})")


class BadBadge(ValueError):
    """A scanned text that is not a valid badge; the message says which way, nothing more."""


def _tag(key: bytes, event: str | None, guest_id: str) -> bytes:
    # NUL separates the fields: neither an event text nor an id holds one
    # that could shift bytes from one field to the other.
    message = b"paradeops-badge-v1\0" + (event or "").encode() + b"\0" + guest_id.encode()
    return hmac.new(key, message, hashlib.sha256).digest()[:_TAG_BYTES]


def _tag_text(key: bytes, event: str | None, guest_id: str) -> str:
    return base64.urlsafe_b64encode(_tag(key, event, guest_id)).rstrip(b"=").decode()


def make_token(key: bytes, event: str | None, guest_id: str) -> str:
    """The token for ``guest_id`` of the book whose ``event:`` is ``event``."""
    return f"{PREFIX}:{guest_id}:{_tag_text(key, event, guest_id)}"


def read_token(key: bytes, event: str | None, text: str) -> str:
    """The guest id a scanned ``text`` was signed for; BadBadge if it was not.

    Scanners that type into a field end with a newline or a tab: surrounding
    whitespace is dropped.
    """
    text = text.strip()
    match = _SHAPE.fullmatch(text) if len(text) <= MAX_TOKEN else None
    if match is None:
        raise BadBadge("not a ParadeOps badge")
    guest_id, tag = match.groups()
    # The text is compared, not its decoded bytes: the last of 22 characters carries
    # 4 unused bits, and a token must have one spelling (a re-scan is the same token).
    if not hmac.compare_digest(tag, _tag_text(key, event, guest_id)):
        raise BadBadge(
            "the badge's signature does not match: forged, damaged, for another event, "
            "or printed before the badge key was rotated"
        )
    return guest_id


@dataclass(frozen=True)
class BadgeGuest:
    guest: Guest
    status: Status


def badge_guests(book: GuestBook) -> list[BadgeGuest]:
    """The guests who get a badge, in the book's order: all but the cancelled and declined.

    Status is everything recorded (as ``guests status`` without ``--as-of``);
    an interpreter without events of their own follows their principal.
    """
    statuses = status_as_of(book)
    return [BadgeGuest(g, statuses[g.id]) for g in book.guests if statuses[g.id] not in NO_BADGE]
