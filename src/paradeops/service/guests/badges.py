"""Badge scans at the tribune: the token checked, the guest's status now, ``attended`` appended.

One scan is one transaction under the book's lock (as :func:`.service.append`):
two stewards scanning one badge at once admit the guest once, and the second
is told "already admitted". What the ledger does not allow (an interpreter
whose own confirmation was never recorded) is refused, with the ledger's
reason, and nothing is appended.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from paradeops.errors import UserError
from paradeops.io import badge_key
from paradeops.protocol.badges import BadBadge, read_token
from paradeops.protocol.countries import country_name
from paradeops.protocol.guests import EventKind, Guest, GuestBook, Source
from paradeops.protocol.ledger import Status, history, status_as_of
from paradeops.service.guests import service
from paradeops.service.guests.models import EventIn, GuestBookRow
from paradeops.service.settings import ServiceSettings
from paradeops.service.users import keys
from paradeops.service.users.service import audit

__all__ = ["NoKey", "Scan", "badge_key_path", "read_key", "scan"]

Outcome = Literal["admitted", "already_admitted", "refused"]
#: What the appended event says about where it was recorded.
WHERE = "badge scan"


class NoKey(LookupError):
    """The service has no badge key it can use: an operator's matter, not the steward's.

    ``unusable`` is why the key it has cannot be used (a file others may read,
    one it cannot read, not a key), worded without the file's path (the steward
    is told it); ``None``: there is no key at all. ``str()`` is the whole
    message, path and fix included, for the operator's log. No message holds
    any of the key.
    """

    def __init__(self, message: str, unusable: str | None) -> None:
        super().__init__(message)
        self.unusable = unusable


@dataclass(frozen=True)
class Scan:
    """The answer to one scan; ``bad`` set (and nothing else) for a token that is not valid."""

    outcome: Outcome | None = None
    guest: Guest | None = None
    status: Status | None = None
    detail: str = ""
    admitted_at: str | None = None
    bad: str | None = None


def badge_key_path(settings: ServiceSettings) -> Path:
    """``--badge-key-file``, else beside the sign-in key's file (``<name>.badge.key``)."""
    if settings.badge_key_file is not None:
        return settings.badge_key_file.resolve()
    signin = settings.secret_key_file or keys.default_key_file(settings.database_url)
    return badge_key.beside(signin).resolve()


def read_key(settings: ServiceSettings) -> bytes:
    """The badge key now: read at every scan, so a rotated key takes effect at once."""
    path = badge_key_path(settings)
    try:
        return badge_key.load_badge_key(path)
    except UserError as e:
        if not os.environ.get(badge_key.ENV) and not os.path.lexists(path):
            raise NoKey(str(e), None) from None
        why = e.problems[0].message.replace(f"the badge key {path}", "the badge key file")
        raise NoKey(str(e), why.replace(str(path), "the badge key file")) from None


def scan(
    session: Session,
    book_id: int,
    text: str,
    key: bytes,
    cache: dict[int, GuestBook],
    *,
    actor: str,
    now: dt.datetime,
) -> Scan:
    """Check one scanned ``text`` and admit its guest if confirmed; audited whatever it gives."""
    locked = select(GuestBookRow.id).where(GuestBookRow.id == book_id).with_for_update()
    if session.scalar(locked) is None:
        raise service.NotFound(f"no guest book {book_id}")
    book = service.load(session, book_id, cache).book
    try:
        guest_id = read_token(key, book.event, text)
    except BadBadge as e:
        _audit(session, actor, now, book_id, "-", {"outcome": "bad", "why": str(e)})
        return Scan(bad=str(e))
    guest = book.by_id().get(guest_id)
    if guest is None:
        raise service.NotFound(f"the badge's guest {guest_id!r} is not in guest book {book_id}")
    result = _decide(session, book_id, book, guest, cache, actor=actor, now=now)
    if result.outcome != "admitted":  # an admission is audited as its event (guests.event)
        detail = {"outcome": result.outcome, "status": str(result.status)}
        _audit(session, actor, now, book_id, guest.id, detail)
    return result


def _decide(
    session: Session,
    book_id: int,
    book: GuestBook,
    guest: Guest,
    cache: dict[int, GuestBook],
    *,
    actor: str,
    now: dt.datetime,
) -> Scan:
    status = status_as_of(book)[guest.id]
    own = history(book, guest.id)
    if guest.interpreter_for and not own:
        # The status is their principal's; the ledger admits only on their own history.
        why = (f"refused: interpreter for {guest.interpreter_for}, whose status ({status.value}) "
               "they follow; an organiser records their own confirmation first")  # fmt: skip
        return Scan("refused", guest, status, why)
    if status is Status.attended:
        at = next(e.at for e in reversed(own) if e.kind is EventKind.attended)
        return Scan("already_admitted", guest, status, f"already admitted {_when(at)}",
                    at.isoformat())  # fmt: skip
    if status is not Status.confirmed:
        return Scan("refused", guest, status, f"refused: {_why(book, guest, status)}")
    now = now.replace(microsecond=0)  # the history's instants are to the second
    event = EventIn(at=now, kind=EventKind.attended, source=Source(by=actor, where=WHERE))
    try:
        service.append(session, book_id, guest.id, event, cache, actor=actor, now=now)
    except UserError as e:
        return Scan("refused", guest, status, f"refused: {e.problems[0].message}")
    return Scan("admitted", guest, Status.attended, "admitted", now.isoformat())


def _why(book: GuestBook, guest: Guest, status: Status) -> str:
    last = [e for e in history(book, guest.id) if e.kind.value == status.value]
    reason = f" ({last[-1].reason})" if last and last[-1].reason else ""
    if status in (Status.listed, Status.invited):
        return f"{status.value}, not confirmed{reason}"
    return f"{status.value}{reason}"


def _when(at: dt.date | dt.datetime) -> str:
    """``at HH:MM (UTC+03:00)``: the time with the offset it was recorded in; a day: ``on``."""
    if not isinstance(at, dt.datetime):
        return f"on {at.isoformat()}"
    offset = at.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
    return f"at {at:%H:%M} ({zone})"


def _audit(session: Session, actor: str, now: dt.datetime, book_id: int, guest: str,
           detail: dict[str, Any]) -> None:  # fmt: skip
    audit(session, now=now, actor=actor, action="guests.badge_scan", target=f"guest {guest}",
          detail={"book": book_id, **detail})  # fmt: skip


def record(book: GuestBook, result: Scan) -> dict[str, Any]:
    """The scan as the API answers it (:class:`.badge_views.ScanOut`)."""
    g = result.guest
    assert g is not None and result.status is not None and result.outcome is not None
    return {
        "outcome": result.outcome,
        "detail": result.detail,
        "guest": g.id,
        "name": g.name,
        "title": g.title,
        "category": g.category.value,
        "country": g.country,
        "country_name": country_name(g.country, book.language),
        "status": result.status.value,
        "admitted_at": result.admitted_at,
    }
