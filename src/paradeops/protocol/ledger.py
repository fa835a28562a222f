"""Attendance history: an append-only ledger of events; status is derived by replay.

Nothing is overwritten. "What did we know on 5 May?" is answered by replaying
the events recorded up to that moment. A whole-day event (a date) counts as
known on that day; an instant (an aware datetime) from that instant on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from paradeops.protocol.guests import Event, EventKind, Guest, GuestBook, Moment


class Status(StrEnum):
    """Where a guest stands at a moment, derived from the history."""

    listed = "listed"  # on the list, nothing recorded yet
    invited = "invited"
    confirmed = "confirmed"
    declined = "declined"
    cancelled = "cancelled"
    attended = "attended"
    no_show = "no_show"


#: Statuses counted as "will attend" (or did).
EXPECTED = frozenset({Status.confirmed, Status.attended})

#: For each status, the events that may follow it.
TRANSITIONS: dict[Status, frozenset[EventKind]] = {
    Status.listed: frozenset(
        {EventKind.invited, EventKind.confirmed, EventKind.declined}
    ),
    Status.invited: frozenset({EventKind.invited, EventKind.confirmed, EventKind.declined}),
    Status.confirmed: frozenset(
        {EventKind.confirmed, EventKind.cancelled, EventKind.attended, EventKind.no_show}
    ),
    Status.declined: frozenset({EventKind.invited, EventKind.confirmed, EventKind.declined}),
    Status.cancelled: frozenset({EventKind.invited, EventKind.confirmed, EventKind.cancelled}),
    Status.attended: frozenset(),
    Status.no_show: frozenset(),
}


@dataclass(frozen=True)
class Issue:
    """Something wrong in the book, located by its path in the document."""

    loc: tuple[str | int, ...]
    message: str
    hint: str | None = None


def day_of(moment: Moment) -> dt.date:
    return moment.date() if isinstance(moment, dt.datetime) else moment


def known_by(event_at: Moment, as_of: Moment) -> bool:
    """True if an event at ``event_at`` is already known at ``as_of``."""
    if isinstance(event_at, dt.datetime) and isinstance(as_of, dt.datetime):
        return event_at <= as_of
    return day_of(event_at) <= day_of(as_of)


def is_before(later: Moment, earlier: Moment) -> bool:
    """True if ``later`` lies strictly before ``earlier`` (out of order)."""
    if isinstance(later, dt.datetime) and isinstance(earlier, dt.datetime):
        return later < earlier
    return day_of(later) < day_of(earlier)


def apply(status: Status, kind: EventKind) -> Status:
    """The status after one event; ValueError if the event cannot follow it."""
    if kind not in TRANSITIONS[status]:
        raise ValueError(f"a guest who is {status.value} cannot be {kind.value}")
    return Status(kind.value)


def replay(events: Iterable[Event]) -> Status:
    """Replay one guest's events in order; the status they lead to."""
    status = Status.listed
    for event in events:
        status = apply(status, event.kind)
    return status


def check(book: GuestBook) -> list[Issue]:
    """Every inconsistency between guests and events, with where it is."""
    issues = check_guests(book.guests)
    ids = {g.id: i for i, g in reversed(list(enumerate(book.guests)))}
    last: dict[str, tuple[int, Event]] = {}
    state: dict[str, Status] = {}
    for i, event in enumerate(book.events):
        if event.guest not in ids:
            issues.append(Issue(("events", i, "guest"), f"unknown guest id {event.guest!r}",
                                _ids_hint(ids)))
            continue
        previous = last.get(event.guest)
        if previous is not None and is_before(event.at, previous[1].at):
            issues.append(Issue(
                ("events", i, "at"),
                f"event for {event.guest!r} dated {event.at} comes after one dated "
                f"{previous[1].at} (events[{previous[0]}])",
                "the history is append-only: record events for a guest in date order",
            ))
            continue
        try:
            state[event.guest] = apply(state.get(event.guest, Status.listed), event.kind)
        except ValueError as e:
            issues.append(Issue(("events", i, "kind"), str(e),
                                "add the missing step (e.g. confirmed) before this event"))
            continue
        last[event.guest] = (i, event)
    for i, rule in enumerate(book.seating.keep_apart):
        known = set(ids) | {book.delegation_of(g) for g in book.guests}
        for side in ("a", "b"):
            name = getattr(rule, side)
            if name not in known:
                issues.append(Issue(("seating", "keep_apart", i, side),
                                    f"{name!r} is neither a guest id nor a delegation"))
    for i, override in enumerate(book.precedence.overrides):
        for key in ("guest", "before", "after"):
            name = getattr(override, key)
            if name is not None and name not in ids:
                issues.append(Issue(("precedence", "overrides", i, key),
                                    f"unknown guest id {name!r}", _ids_hint(ids)))
        if (override.before is None) == (override.after is None):
            issues.append(Issue(("precedence", "overrides", i),
                                "give exactly one of before: or after:"))
    return issues


def check_guests(guests: Sequence[Guest], known: Collection[str] = ()) -> list[Issue]:
    """Every problem of the guest list itself: repeated ids, interpreters, hosts.

    ``known`` are ids that exist though their guests are not given (an
    importer's rows that failed on their own): naming them is no error.
    """
    issues: list[Issue] = []
    ids: dict[str, int] = {}
    for i, guest in enumerate(guests):
        if guest.id in ids:
            issues.append(
                Issue(("guests", i, "id"), f"guest id {guest.id!r} is used twice",
                      f"the first is guests[{ids[guest.id]}]; give each guest its own id")
            )
        ids.setdefault(guest.id, i)
    for i, guest in enumerate(guests):
        principal = guest.interpreter_for
        if principal is None or principal in known:
            continue
        if principal not in ids:
            issues.append(Issue(("guests", i, "interpreter_for"),
                                f"unknown guest id {principal!r}", _ids_hint(ids)))
        elif principal == guest.id or guests[ids[principal]].interpreter_for:
            issues.append(Issue(("guests", i, "interpreter_for"),
                                "an interpreter's principal must be a guest, "
                                "not themself or another interpreter"))
    hosts = [i for i, g in enumerate(guests) if g.host]
    for i in hosts[1:]:
        # Each extra host at its own line, so a long list shows where they are.
        issues.append(Issue(("guests", i, "host"),
                            f"a second host: guests[{hosts[0]}] is already marked host",
                            "mark only the one who presides (the others rank by precedence)"))
    return issues


#: The earliest date an event may carry (no guest book reaches further back).
EARLIEST_EVENT = dt.date(1900, 1, 1)
#: How far after today an event may be dated when it is recorded: an invitation or
#: a confirmation is recorded when it happens, or planned months ahead, never years.
#: A typo past it (9999-12-31) would otherwise block the guest's history for good,
#: as every later event must not be dated before it.
MAX_AHEAD = dt.timedelta(days=366)


def time_issue(event: Event, now: dt.datetime) -> Issue | None:
    """Why ``event`` may not be recorded at ``now`` because of its date (None: it may).

    Dates are compared by the event's own calendar day, so an offset far from
    UTC (``-23:59``) moves nothing by more than a day.
    """
    day, today = day_of(event.at), now.date()
    if day < EARLIEST_EVENT:
        return Issue(("events", -1, "at"), f"the event is dated {day}, before {EARLIEST_EVENT}",
                     "check the year")
    if day > today + MAX_AHEAD:
        return Issue(
            ("events", -1, "at"),
            f"the event is dated {day}, more than a year after today ({today})",
            "check the date; events are recorded when they happen, or at most a year ahead",
        )
    return None


def check_append(book: GuestBook, event: Event) -> list[Issue]:
    """What stops ``event`` from being appended to ``book``'s history (empty: it may be).

    The same rules as a whole file's (:func:`check`), for the new event only:
    a known guest, not dated before that guest's previous event, a step the
    guest's status allows.
    """
    events = [*book.events, event]
    issues = check(book.model_copy(update={"events": events}))
    return [i for i in issues if i.loc[:2] == ("events", len(events) - 1)]


def _ids_hint(ids: dict[str, int]) -> str:
    sample = ", ".join(sorted(ids)[:6])
    return f"use the id of a guest listed under guests: ({sample}{', …' if len(ids) > 6 else ''})"


def history(book: GuestBook, guest_id: str) -> list[Event]:
    """One guest's events, in the order recorded."""
    return [e for e in book.events if e.guest == guest_id]


def status_as_of(book: GuestBook, as_of: Moment | None = None) -> dict[str, Status]:
    """Every guest's status at ``as_of`` (everything recorded if None).

    Interpreters without events of their own follow their principal.
    """
    per_guest: dict[str, list[Event]] = {g.id: [] for g in book.guests}
    for event in book.events:
        if as_of is None or known_by(event.at, as_of):
            per_guest.setdefault(event.guest, []).append(event)
    statuses = {gid: replay(events) for gid, events in per_guest.items()}
    for guest in book.guests:
        if guest.interpreter_for and not per_guest.get(guest.id):
            statuses[guest.id] = statuses.get(guest.interpreter_for, Status.listed)
    return statuses


def last_event(book: GuestBook, guest_id: str, as_of: Moment | None = None) -> Event | None:
    found = [e for e in history(book, guest_id) if as_of is None or known_by(e.at, as_of)]
    return found[-1] if found else None


def expected(book: GuestBook, as_of: Moment | None = None) -> list[str]:
    """Ids of the guests expected (confirmed or attended) at ``as_of``, hosts always."""
    statuses = status_as_of(book, as_of)
    return [g.id for g in book.guests if g.host or statuses[g.id] in EXPECTED]


def moments(events: Sequence[Event]) -> list[Moment]:
    """The distinct moments at which something was recorded, in file order."""
    seen: list[Moment] = []
    for e in events:
        if e.at not in seen:
            seen.append(e.at)
    return seen


def seated_ids(
    book: GuestBook, moment: Moment | None, *, include_invited: bool = False
) -> list[str]:
    """Who is seated: the hosts, the guests confirmed (or attended) as of
    ``moment`` (invited too if asked), then the interpreters of those.

    ``paradeops seat`` and :func:`paradeops.seat` seat these.
    """
    statuses = status_as_of(book, moment)
    wanted = {Status.confirmed, Status.attended} | ({Status.invited} if include_invited else set())
    ids = [
        g.id
        for g in book.guests
        if g.host or (statuses[g.id] in wanted and g.interpreter_for is None)
    ]
    return ids + [g.id for g in book.guests if g.interpreter_for in ids]
