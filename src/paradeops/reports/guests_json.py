"""What ``guests status|history|announcements --format json`` write (and the service
answers): each guest's status as of a moment, each event of the history with the status
it led to, each announcement and how the history bears it out."""

from __future__ import annotations

from typing import Any

from paradeops.protocol.announcements import AnnouncementCheck, moment_text
from paradeops.protocol.countries import country_name
from paradeops.protocol.guests import Event, GuestBook, Moment
from paradeops.protocol.ledger import EXPECTED, Status, last_event, status_as_of
from paradeops.protocol.precedence import order_with_interpreters

__all__ = ["announcement_record", "history_record", "status_records"]


def status_records(book: GuestBook, moment: Moment | None) -> list[dict[str, Any]]:
    """Every guest in precedence order: who, their status as of ``moment`` and since when."""
    statuses = status_as_of(book, moment)
    by_id = book.by_id()
    records: list[dict[str, Any]] = []
    for gid in order_with_interpreters(book):
        g = by_id[gid]
        event = last_event(book, gid, moment)
        records.append(
            {
                "id": gid,
                "name": g.name,
                "title": g.title,
                "country": g.country,
                "country_name": country_name(g.country, book.language),
                "category": g.category.value,
                "delegation": book.delegation_of(g),
                "status": statuses[gid].value,
                "expected": g.host or statuses[gid] in EXPECTED,
                "since": moment_text(event.at) if event else None,
                "reason": event.reason if event else None,
                "illustrative": g.illustrative,
            }
        )
    return records


def history_record(event: Event, name: str, status: Status) -> dict[str, Any]:
    """One event as recorded, with the guest's ``name`` and the ``status`` it led to."""
    return {
        "at": moment_text(event.at),
        "guest": event.guest,
        "name": name,
        "kind": event.kind.value,
        "status": status.value,
        "reason": event.reason,
        "by": event.source.by if event.source else None,
        "where": event.source.where if event.source else None,
        "illustrative": event.illustrative,
    }


def announcement_record(check: AnnouncementCheck) -> dict[str, Any]:
    """One announcement, the count the history gives as of its date, and who changed
    since the one before."""
    a = check.announcement
    return {
        "at": moment_text(a.at),
        "by": a.by,
        "where": a.where,
        "category": a.category.value,
        "counts": a.counts.value,
        "foreign_only": a.foreign_only,
        "announced": a.count,
        "actual": check.actual,
        "matches": check.matches,
        "difference": check.difference,
        "explained_at": moment_text(check.explained_at),
        "changes_since_previous": [
            {
                "guest": ch.guest,
                "counted_before": ch.counted_before,
                "counted_now": ch.counted_now,
                "status": ch.status.value,
                "reason": ch.reason,
            }
            for ch in check.changes
        ],
        "text": a.text,
        "illustrative": a.illustrative,
    }
