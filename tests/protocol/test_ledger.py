"""Attendance history: status derived by replay; bad histories refused with their place."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.protocol.guests import Event, EventKind, Guest
from paradeops.protocol.ledger import (
    TRANSITIONS,
    Status,
    check,
    check_append,
    check_guests,
    expected,
    known_by,
    replay,
    status_as_of,
)
from tests.protocol.conftest import book, guest

D = dt.date


def test_status_is_replayed_as_of_a_date() -> None:
    b = book([guest("la")], [
        {"guest": "la", "at": "2025-03-15", "kind": "invited"},
        {"guest": "la", "at": "2025-04-20", "kind": "confirmed"},
        {"guest": "la", "at": "2025-05-06", "kind": "cancelled", "reason": "COVID-19"},
    ])
    assert status_as_of(b, D(2025, 3, 1))["la"] is Status.listed
    assert status_as_of(b, D(2025, 3, 15))["la"] is Status.invited
    assert status_as_of(b, D(2025, 5, 5))["la"] is Status.confirmed
    assert status_as_of(b, D(2025, 5, 6))["la"] is Status.cancelled
    assert status_as_of(b)["la"] is Status.cancelled
    assert check(b) == []


def test_an_instant_counts_from_that_instant_a_day_from_that_day() -> None:
    msk = dt.timezone(dt.timedelta(hours=3))
    at = dt.datetime(2025, 5, 6, 15, 0, tzinfo=msk)
    assert known_by(at, dt.datetime(2025, 5, 6, 15, 0, tzinfo=msk))
    assert not known_by(at, dt.datetime(2025, 5, 6, 11, 59, tzinfo=dt.UTC))
    assert known_by(at, D(2025, 5, 6))
    assert known_by(D(2025, 5, 6), dt.datetime(2025, 5, 6, 0, 1, tzinfo=msk))


def test_unknown_guest_and_events_out_of_order_are_located() -> None:
    b = book([guest("la")], [
        {"guest": "la", "at": "2025-04-20", "kind": "confirmed"},
        {"guest": "lao", "at": "2025-04-21", "kind": "confirmed"},
        {"guest": "la", "at": "2025-04-01", "kind": "cancelled"},
    ])
    issues = check(b)
    assert [i.loc for i in issues] == [("events", 1, "guest"), ("events", 2, "at")]
    assert "unknown guest id 'lao'" in issues[0].message
    assert "2025-04-01" in issues[1].message and "events[0]" in issues[1].message


def test_an_impossible_step_is_refused() -> None:
    b = book([guest("az")], [{"guest": "az", "at": "2025-05-06", "kind": "cancelled"}])
    (issue,) = check(b)
    assert issue.loc == ("events", 0, "kind")
    assert "listed cannot be cancelled" in issue.message


def test_every_extra_host_is_named_at_its_own_place() -> None:
    b = book([guest("a", "RU", host=True), guest("b"), guest("c", "RU", host=True),
              guest("d", "RU", host=True)])
    assert [(i.loc, i.message) for i in check(b)] == [
        (("guests", 2, "host"), "a second host: guests[0] is already marked host"),
        (("guests", 3, "host"), "a second host: guests[0] is already marked host")]


def test_guests_known_elsewhere_are_no_unknown_principal() -> None:
    guests = [Guest.model_validate(guest("x-int", interpreter_for="x")),
              Guest.model_validate(guest("y-int", interpreter_for="y"))]
    assert [i.loc for i in check_guests(guests, known={"x"})] == [
        ("guests", 1, "interpreter_for")]


def test_check_append_judges_only_the_new_event() -> None:
    b = book([guest("la")], [{"guest": "la", "at": "2025-04-20", "kind": "invited"}])
    ok = Event.model_validate({"guest": "la", "at": "2025-04-21", "kind": "confirmed"})
    early = Event.model_validate({"guest": "la", "at": "2025-04-19", "kind": "confirmed"})
    wrong = Event.model_validate({"guest": "la", "at": "2025-04-21", "kind": "attended"})
    ghost = Event.model_validate({"guest": "lao", "at": "2025-04-21", "kind": "invited"})
    assert check_append(b, ok) == []
    assert [i.loc for i in check_append(b, early)] == [("events", 1, "at")]
    assert [i.message for i in check_append(b, wrong)] == [
        "a guest who is invited cannot be attended"]
    assert [i.loc for i in check_append(b, ghost)] == [("events", 1, "guest")]


def test_interpreter_follows_the_principal_and_hosts_are_always_expected() -> None:
    b = book(
        [guest("host", "RU", host=True), guest("cn"),
         guest("cn-int", "CN", "other", interpreter_for="cn")],
        [{"guest": "cn", "at": "2025-04-20", "kind": "confirmed"}],
    )
    assert status_as_of(b)["cn-int"] is Status.confirmed
    assert expected(b) == ["host", "cn", "cn-int"]
    assert expected(b, D(2025, 1, 1)) == ["host"]


# --- property: the derived status is the replay of the history up to that moment ---------

@st.composite
def histories(draw: st.DrawFn) -> tuple[list[dict[str, object]], list[str]]:
    ids = ["a", "b", "c"]
    events: list[dict[str, object]] = []
    state = {g: Status.listed for g in ids}
    day = D(2025, 3, 1)
    for _ in range(draw(st.integers(0, 25))):
        gid = draw(st.sampled_from(ids))
        options = sorted(TRANSITIONS[state[gid]])
        if not options:
            continue
        kind = draw(st.sampled_from(options))
        day += dt.timedelta(days=draw(st.integers(0, 3)))
        events.append({"guest": gid, "at": day.isoformat(), "kind": kind.value})
        state[gid] = Status(kind.value)
    return events, ids


@settings(max_examples=150, deadline=None)
@given(histories(), st.integers(0, 80))
def test_derived_status_equals_replaying_the_history(
    history: tuple[list[dict[str, object]], list[str]], offset: int
) -> None:
    events, ids = history
    b = book([guest(g) for g in ids], events)
    assert check(b) == []
    as_of = D(2025, 3, 1) + dt.timedelta(days=offset)
    derived = status_as_of(b, as_of)
    for g in ids:
        mine = [e for e in b.events if e.guest == g and e.at <= as_of]
        assert derived[g] is replay(mine)
        # and the status is simply the last event's kind, nothing overwritten
        assert derived[g].value == (mine[-1].kind.value if mine else "listed")
    assert len(b.events) == len(events)  # the ledger is never rewritten
    assert all(isinstance(e.kind, EventKind) for e in b.events)
