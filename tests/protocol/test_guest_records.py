"""The guest records the CLI's ``--format json`` and the service share (reports/guests_json.py).

Expected values are worked out by hand from the small book below.
"""

from __future__ import annotations

import datetime as dt

from paradeops.protocol.guests import Event, GuestBook
from paradeops.protocol.ledger import Status
from paradeops.reports.guests_json import history_record, status_records
from tests.protocol.conftest import book, guest

EVENTS = [
    {"guest": "fr", "at": "2025-04-01", "kind": "invited"},
    {"guest": "fr", "at": "2025-04-20", "kind": "confirmed", "reason": "by letter"},
    {"guest": "fr", "at": "2025-05-06", "kind": "cancelled", "reason": "illness",
     "source": {"by": "Elysée", "where": "press release"}},
]


def small_book() -> GuestBook:
    return book(
        [guest("ru", country="RU", host=True), guest("fr", title="President")], EVENTS
    )


def test_status_before_the_cancellation() -> None:
    records = {r["id"]: r for r in status_records(small_book(), dt.date(2025, 5, 5))}
    assert records["fr"] == {
        "id": "fr",
        "name": "Fr",
        "title": "President",
        "country": "FR",
        "country_name": "France",
        "category": "head_of_state",
        "delegation": "FR",
        "status": "confirmed",
        "expected": True,
        "since": "2025-04-20",
        "reason": "by letter",
        "illustrative": False,
    }
    # The host has no event: listed, yet expected; a host-country guest sits alone.
    host = records["ru"]
    assert (host["status"], host["expected"], host["since"], host["reason"]) == (
        "listed", True, None, None,
    )
    assert host["delegation"] == "RU:ru"


def test_status_with_everything_recorded() -> None:
    fr = next(r for r in status_records(small_book(), None) if r["id"] == "fr")
    assert (fr["status"], fr["expected"], fr["since"], fr["reason"]) == (
        "cancelled", False, "2025-05-06", "illness",
    )


def test_every_guest_once() -> None:
    assert sorted(r["id"] for r in status_records(small_book(), None)) == ["fr", "ru"]


def test_history_record_names_the_source() -> None:
    event = Event.model_validate(EVENTS[2])
    assert history_record(event, "Fr", Status.cancelled) == {
        "at": "2025-05-06",
        "guest": "fr",
        "name": "Fr",
        "kind": "cancelled",
        "status": "cancelled",
        "reason": "illness",
        "by": "Elysée",
        "where": "press release",
        "illustrative": False,
    }


def test_history_record_without_a_source() -> None:
    event = Event.model_validate(EVENTS[0])
    record = history_record(event, "Fr", Status.invited)
    assert (record["kind"], record["status"], record["reason"], record["by"], record["where"]) == (
        "invited", "invited", None, None, None,
    )
