"""Public announcements held against the attendance history as of their date.

An announcement ("29 foreign leaders will attend", by whom, where, when)
*matches* when the number of guests of that kind whose derived status at that
moment is confirmed (or attended) equals the announced count. What is
counted is the announcement's ``counts``: ``leaders`` (the default) counts
each guest of the category, never an interpreter; ``delegations`` counts the
delegations with at least one such guest expected ("100 foreign
delegations", however many spouses come); ``persons`` counts those guests
and their interpreters.

When it does not match, ``difference`` names the guests that make the gap:
the nearest moment in the history at which the count *was* the announced one
is found, and the guests counted at one moment but not at the other are the
difference (e.g. an announcement made from stale information). If no moment
gives the announced count, the difference is empty and ``explained_at`` None.
When delegations are counted, the difference names delegations.

Independently, ``changes`` lists the guests whose counting changed since the
previous announcement of the same category and ``counts`` (for delegations,
the guests of the delegations that came or went) — for a revision from 29 to 27,
the two who cancelled, with their reasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from paradeops.protocol.guests import (
    AnnouncedCategory,
    Announcement,
    Category,
    Counts,
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
    #: What was counted at the announcement's date: guest ids, or delegations.
    counted: list[str]
    #: What makes the gap (guest ids, or delegations), see the module's docstring.
    difference: list[str]
    explained_at: Moment | None
    changes: list[Change] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return self.actual == self.announcement.count


def counts_as(guest: Guest, announcement: Announcement, host_country: str) -> bool:
    """Whether ``guest`` is of the kind the announcement counts (interpreters never are)."""
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


def counted_guests(book: GuestBook, announcement: Announcement, as_of: Moment | None) -> list[str]:
    """Ids of the guests behind the announcement's number who are expected at ``as_of``.

    For ``counts: persons`` an interpreter comes with a principal of the kind
    (whatever the interpreter's own country: they travel with the delegation).
    """
    statuses = status_as_of(book, as_of)
    by_id = book.by_id()

    def behind(guest: Guest) -> bool:
        if counts_as(guest, announcement, book.host_country):
            return True
        principal = by_id.get(guest.interpreter_for or "")
        return (announcement.counts is Counts.persons and principal is not None
                and counts_as(principal, announcement, book.host_country))

    return [g.id for g in book.guests if behind(g) and statuses[g.id] in EXPECTED]


def counted(book: GuestBook, announcement: Announcement, as_of: Moment | None) -> list[str]:
    """What the announcement counts at ``as_of``: guest ids, or delegations (in book order)."""
    ids = counted_guests(book, announcement, as_of)
    if announcement.counts is not Counts.delegations:
        return ids
    by_id = book.by_id()
    return list(dict.fromkeys(book.delegation_of(by_id[g]) for g in ids))


def _book_order(book: GuestBook, items: set[str]) -> list[str]:
    """Guest ids or delegations in the order of their first guest in the book."""
    rank: dict[str, int] = {}
    for i, g in enumerate(book.guests):
        rank.setdefault(g.id, i)
        rank.setdefault(book.delegation_of(g), i)
    return sorted(items, key=lambda x: (rank.get(x, len(rank)), x))


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
            return _book_order(book, set(then) ^ set(now)), moment
    return [], None


#: Announcements are compared with the previous one that counts the same thing.
Kind = tuple[AnnouncedCategory, Counts]


def _changes(book: GuestBook, announcement: Announcement, before: tuple[list[str], list[str]],
             now: tuple[list[str], list[str]]) -> list[Change]:
    """The guests whose counting changed since the previous announcement of the kind.

    ``before`` and ``now`` are (counted, guests behind them). When delegations
    are counted, only the guests of a delegation that came or went are named.
    """
    statuses = status_as_of(book, announcement.at)
    by_id = book.by_id()
    moved = set(before[0]) ^ set(now[0])
    out: list[Change] = []
    for gid in _book_order(book, set(before[1]) ^ set(now[1])):
        if announcement.counts is Counts.delegations and \
                book.delegation_of(by_id[gid]) not in moved:
            continue
        event = last_event(book, gid, announcement.at)
        out.append(Change(guest=gid, counted_before=gid in before[1],
                          counted_now=gid in now[1], status=statuses[gid],
                          reason=event.reason if event else None))
    return out


def check_announcements(book: GuestBook) -> list[AnnouncementCheck]:
    """Each announcement, in file order, held against the history as of its date."""
    results: list[AnnouncementCheck] = []
    previous: dict[Kind, tuple[list[str], list[str]]] = {}
    for announcement in book.announcements:
        now = counted(book, announcement, announcement.at)
        behind = counted_guests(book, announcement, announcement.at)
        if len(now) == announcement.count:
            difference: list[str] = []
            explained_at: Moment | None = None
        else:
            difference, explained_at = _explain(book, announcement, now)
        kind = (announcement.category, announcement.counts)
        before = previous.get(kind)
        changes = [] if before is None else _changes(book, announcement, before, (now, behind))
        results.append(
            AnnouncementCheck(announcement, len(now), now, difference, explained_at, changes)
        )
        previous[kind] = (now, behind)
    return results


def moment_text(moment: Moment | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat() if isinstance(moment, dt.date) else str(moment)
