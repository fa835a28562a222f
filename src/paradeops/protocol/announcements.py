"""Public announcements held against the attendance history as of their date.

An announcement ("29 foreign leaders will attend", by whom, where, when)
*matches* when the number of guests of that kind whose derived status at that
moment is confirmed (or attended) equals the announced count.

When it does not match, ``difference`` names the guests that make the gap:
the nearest moment in the history at which the count *was* the announced one
is found, and the guests counted at one moment but not at the other are the
difference (e.g. an announcement made from stale information). If no moment
gives the announced count, the difference is empty and ``explained_at`` None.

Independently, ``changes`` lists the guests whose counting changed since the
previous announcement of the same category — for a revision from 29 to 27,
the two who cancelled, with their reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from paradeops.protocol.guests import (
    AnnouncedCategory,
    Announcement,
    Category,
    Guest,
    GuestBook,
    Moment,
)
from paradeops.protocol.ledger import EXPECTED, Status, day_of, last_event, status_as_of


@dataclass(frozen=True)
class Change:
    guest: str
    counted_before: bool
    counted_now: bool
    status: Status
    reason: str | None


@dataclass(frozen=True)
class AnnouncementCheck:
    announcement: Announcement
    actual: int
    counted: list[str]
    difference: list[str]
    explained_at: Moment | None
    changes: list[Change] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.actual == self.announcement.count


def counts_as(guest: Guest, announcement: Announcement, host_country: str) -> bool:
    """Whether ``guest`` is of the kind the announcement counts."""
    if announcement.foreign_only and guest.country == host_country:
        return False
    if guest.interpreter_for is not None:
        return False
    wanted = announcement.category
    if wanted is AnnouncedCategory.any:
        return True
    if wanted is AnnouncedCategory.leader:
        return guest.category in (Category.head_of_state, Category.head_of_government)
    return guest.category.value == wanted.value


def counted(book: GuestBook, announcement: Announcement, as_of: Moment | None) -> list[str]:
    """Ids of guests of the announcement's kind expected at ``as_of``."""
    statuses = status_as_of(book, as_of)
    return [
        g.id
        for g in book.guests
        if counts_as(g, announcement, book.host_country) and statuses[g.id] in EXPECTED
    ]


def _distance_days(a: Moment, b: Moment) -> int:
    return abs((day_of(a) - day_of(b)).days)


def _explain(
    book: GuestBook, announcement: Announcement, now: list[str]
) -> tuple[list[str], Moment | None]:
    candidates: list[Moment] = []
    for e in book.events:
        if e.at not in candidates:
            candidates.append(e.at)
    candidates.sort(key=lambda m: (_distance_days(m, announcement.at), day_of(m)))
    for moment in candidates:
        then = counted(book, announcement, moment)
        if len(then) == announcement.count:
            diff = sorted(set(then) ^ set(now), key=[g.id for g in book.guests].index)
            return diff, moment
    return [], None


def check_announcements(book: GuestBook) -> list[AnnouncementCheck]:
    """Each announcement, in file order, held against the history as of its date."""
    results: list[AnnouncementCheck] = []
    previous: dict[AnnouncedCategory, tuple[Announcement, list[str]]] = {}
    order = [g.id for g in book.guests]
    for announcement in book.announcements:
        now = counted(book, announcement, announcement.at)
        if len(now) == announcement.count:
            difference: list[str] = []
            explained_at: Moment | None = None
        else:
            difference, explained_at = _explain(book, announcement, now)
        changes: list[Change] = []
        before = previous.get(announcement.category)
        if before is not None:
            statuses = status_as_of(book, announcement.at)
            for gid in sorted(set(before[1]) ^ set(now), key=order.index):
                event = last_event(book, gid, announcement.at)
                changes.append(
                    Change(
                        guest=gid,
                        counted_before=gid in before[1],
                        counted_now=gid in now,
                        status=statuses[gid],
                        reason=event.reason if event else None,
                    )
                )
        results.append(
            AnnouncementCheck(announcement, len(now), now, difference, explained_at, changes)
        )
        previous[announcement.category] = (announcement, now)
    return results


def moment_text(moment: Moment | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat() if isinstance(moment, dt.date) else str(moment)
