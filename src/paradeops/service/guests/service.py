"""Guest books: upload, the book with its appended events, append one event, reports.

Everything the protocol decides is decided by the protocol core: the book is
parsed and checked by :func:`paradeops.io.guestfiles.parse_guests` (the CLI's
reader, for the CLI's messages), an appended event is accepted only if
:func:`paradeops.protocol.ledger.check_append` finds nothing wrong with it, and
statuses and announcements are replayed by the ledger and
:func:`paradeops.protocol.announcements.check_announcements`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from paradeops.errors import Problem, UserError
from paradeops.io.guestfiles import parse_guests
from paradeops.io.planfile import decode_text
from paradeops.model.yamlsource import DEFAULT_LIMITS, MAX_INPUT_BYTES, ReadLimits
from paradeops.protocol.announcements import check_announcements, moment_text
from paradeops.protocol.guests import Event, GuestBook, Moment, read_moment
from paradeops.protocol.ledger import (
    TRANSITIONS,
    Status,
    check_append,
    time_issue,
)
from paradeops.reports.guests_json import announcement_record, history_record, status_records
from paradeops.service.guests.models import EventIn, GuestBookRow, GuestRecordRow
from paradeops.service.plans.upload import too_large
from paradeops.service.users.service import audit
from paradeops.store.base import utcnow_iso


class NotFound(LookupError):
    pass


@dataclass(frozen=True)
class Recorded:
    """Who appended an event through the service, and when."""

    by: str
    at: str


@dataclass(frozen=True)
class Book:
    """A stored book: the protocol's GuestBook (file events, then appended ones)."""

    id: int
    book: GuestBook
    #: One per event of ``book.events``: None for those in the uploaded file.
    recorded: list[Recorded | None]


def parse_upload(
    filename: str, data: bytes, limits: ReadLimits = DEFAULT_LIMITS
) -> GuestBook:
    """The book, or UserError with what ``paradeops guests status FILE`` prints for it.

    The CLI's own reader, on the bytes as uploaded: nothing is written to disk.
    """
    too_large(len(data), filename, limits.max_bytes)
    return parse_guests(decode_text(data, filename), filename, limits)


def create(
    session: Session, filename: str, book: GuestBook, text: str, *, actor: str, now: dt.datetime
) -> int:
    """Store a book parsed beforehand (:func:`parse_upload`), outside the write lock."""
    row = GuestBookRow(name=filename, text=text, created_at=utcnow_iso(now), created_by=actor)
    session.add(row)
    session.flush()
    audit(
        session,
        now=now,
        actor=actor,
        action="guests.upload",
        target=f"guest book {row.id}",
        detail={"filename": filename, "guests": len(book.guests), "events": len(book.events)},
    )
    return row.id


def books(session: Session) -> list[GuestBookRow]:
    return list(session.scalars(select(GuestBookRow).order_by(GuestBookRow.id)))


def latest_id(session: Session) -> int:
    found = session.scalar(select(func.max(GuestBookRow.id)))
    if found is None:
        raise NotFound("no guest book has been uploaded yet")
    return int(found)


def load(session: Session, book_id: int, cache: dict[int, GuestBook]) -> Book:
    """The book with every appended event, in the order recorded.

    Parsing the YAML takes a third of a second, so the text's book is kept in
    ``cache`` (the stored text never changes); the appended events are read
    each time, so every request sees every committed event.
    """
    base = cache.get(book_id)
    if base is None:
        row = session.get(GuestBookRow, book_id)
        if row is None:
            raise NotFound(f"no guest book {book_id}")
        base = load_from_text(row)
        cache[book_id] = base
    rows = session.scalars(
        select(GuestRecordRow)
        .where(GuestRecordRow.book_id == book_id, GuestRecordRow.kind == "event")
        .order_by(GuestRecordRow.seq)
    ).all()
    appended = [Event.model_validate_json(r.data) for r in rows]
    recorded: list[Recorded | None] = [None] * len(base.events)
    recorded += [Recorded(r.recorded_by, r.recorded_at) for r in rows]
    return Book(book_id, base.model_copy(update={"events": [*base.events, *appended]}), recorded)


def load_from_text(row: GuestBookRow) -> GuestBook:
    data = row.text.encode("utf-8")
    # Accepted once: today's size limit does not apply to it.
    limits = dataclasses.replace(DEFAULT_LIMITS, max_bytes=max(len(data), MAX_INPUT_BYTES))
    try:
        return parse_upload(row.name, data, limits)
    except UserError as e:  # stored books were checked on the way in
        raise RuntimeError(f"stored guest book {row.id} no longer loads: {e}") from e


def append(
    session: Session,
    book_id: int,
    guest: str,
    event_in: EventIn,
    cache: dict[int, GuestBook],
    *,
    actor: str,
    now: dt.datetime,
) -> Book:
    """Append one event if the ledger's rules allow it after the history so far."""
    # Lock the book's row (PostgreSQL) so two appends for one book are checked one
    # after the other; SQLite writers are already serialised by Database.write_lock.
    if (
        session.scalar(select(GuestBookRow.id).where(GuestBookRow.id == book_id).with_for_update())
        is None
    ):
        raise NotFound(f"no guest book {book_id}")
    current = load(session, book_id, cache)
    if guest not in current.book.by_id():
        raise NotFound(f"no guest {guest!r} in guest book {book_id}")
    event = Event(guest=guest, **event_in.model_dump())
    events = [*current.book.events, event]
    too_far = time_issue(event, now)  # a typo's date would block the guest for good
    issues = [too_far] if too_far is not None else check_append(current.book, event)
    if issues:
        raise UserError(
            problems=[Problem(i.message, field=str(i.loc[-1]), hint=i.hint) for i in issues]
        )
    session.add(
        GuestRecordRow(
            book_id=book_id,
            kind="event",
            data=json.dumps(event_data(event), ensure_ascii=False),
            recorded_at=utcnow_iso(now),
            recorded_by=actor,
        )
    )
    audit(
        session,
        now=now,
        actor=actor,
        action="guests.event",
        target=f"guest {guest}",
        detail={"book": book_id, **event_data(event)},
    )
    return Book(
        book_id,
        current.book.model_copy(update={"events": events}),
        [*current.recorded, Recorded(actor, utcnow_iso(now))],
    )


def event_data(event: Event) -> dict[str, Any]:
    """An event as JSON data; written by hand because pydantic warns while serialising
    the core's ``date | datetime`` union (the output would be right)."""
    data: dict[str, Any] = {
        "guest": event.guest,
        "at": moment_text(event.at),
        "kind": event.kind.value,
    }
    if event.reason is not None:
        data["reason"] = event.reason
    if event.source is not None:
        data["source"] = event.source.model_dump(exclude_none=True)
    return data


def guests(book: GuestBook, as_of: Moment | None, *, personal: bool) -> dict[str, Any]:
    """Counts by status, category and country; each guest only if ``personal``."""
    records = status_records(book, as_of)

    def count(key: str) -> dict[str, int]:
        return dict(sorted(Counter(str(r[key]) for r in records).items()))

    return {
        "event": book.event,
        "as_of": moment_text(as_of),
        "total": len(records),
        "expected": sum(r["expected"] for r in records),
        "by_status": count("status"),
        "by_category": count("category"),
        "by_country": count("country"),
        "guests": records if personal else None,
    }


def history(loaded: Book, guest: str) -> list[dict[str, Any]]:
    """One guest's events as recorded, each with the status it led to (as the CLI)."""
    book = loaded.book
    if guest not in book.by_id():
        raise NotFound(f"no guest {guest!r} in guest book {loaded.id}")
    name = book.by_id()[guest].name
    status = Status.listed
    out = []
    for e, rec in zip(book.events, loaded.recorded, strict=True):
        if e.guest != guest:
            continue
        status = Status(e.kind.value) if e.kind in TRANSITIONS[status] else status
        out.append(
            {
                **history_record(e, name, status),
                "recorded_by": rec.by if rec else None,
                "recorded_at": rec.at if rec else None,
            }
        )
    return out


def announcements(book: GuestBook, *, personal: bool) -> list[dict[str, Any]]:
    """Each announcement against the history as of its date (``guests announcements``)."""
    records = [announcement_record(c) for c in check_announcements(book)]
    if not personal:  # the difference and the changes name guests
        for r in records:
            r["difference"] = r["changes_since_previous"] = None
    return records


def parse_as_of(text: str | None) -> Moment | None:
    """``?as_of=``: a date or an ISO datetime with offset, as ``--as-of``."""
    if text is None or not text.strip():
        return None
    return read_moment(text.strip(), "as_of")
