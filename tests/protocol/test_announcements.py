"""Announcements held against the history as of their date."""

from __future__ import annotations

from paradeops.protocol.announcements import check_announcements
from tests.protocol.conftest import book, guest


def leaders(n: int) -> list[dict[str, object]]:
    codes = ["AM", "BY", "CN", "KZ", "LA", "AZ", "RS"][:n]
    return [guest(c.lower(), c) for c in codes]


def confirmed(ids: list[str], at: str = "2025-04-20") -> list[dict[str, object]]:
    return [{"guest": g, "at": at, "kind": "confirmed"} for g in ids]


def test_announcement_and_revision_both_match_with_the_changes_named() -> None:
    ids = ["am", "by", "cn", "kz", "la", "az"]
    b = book(
        [guest("host", "RU", host=True), *leaders(6), guest("vet", "US", "veteran")],
        [*confirmed([*ids, "vet"]),
         {"guest": "la", "at": "2025-05-06", "kind": "cancelled", "reason": "COVID-19"},
         {"guest": "az", "at": "2025-05-06", "kind": "cancelled", "reason": "internal agenda"}],
        announcements=[
            {"at": "2025-05-05", "by": "Yuri Ushakov", "category": "leader", "count": 6},
            {"at": "2025-05-07", "by": "press", "category": "leader", "count": 4},
            {"at": "2025-05-07", "by": "press", "category": "veteran", "count": 1},
        ],
    )
    first, revision, veterans = check_announcements(b)
    assert (first.actual, first.matches, first.difference) == (6, True, [])
    assert (revision.actual, revision.matches, revision.difference) == (4, True, [])
    assert [(c.guest, c.counted_now, c.reason) for c in revision.changes] == [
        ("la", False, "COVID-19"), ("az", False, "internal agenda")]
    assert veterans.matches and veterans.actual == 1


def test_a_stale_announcement_names_the_guests_that_make_the_difference() -> None:
    b = book(
        [guest("host", "RU", host=True), *leaders(4)],
        [*confirmed(["am", "by", "cn", "kz"]),
         {"guest": "kz", "at": "2025-05-06", "kind": "cancelled"}],
        announcements=[{"at": "2025-05-08", "by": "someone", "count": 4}],
    )
    (check,) = check_announcements(b)
    assert (check.actual, check.matches) == (3, False)
    assert check.difference == ["kz"]
    assert str(check.explained_at) == "2025-04-20"


def test_a_count_no_moment_gives_has_no_difference() -> None:
    b = book([guest("host", "RU", host=True), *leaders(2)], confirmed(["am", "by"]),
             announcements=[{"at": "2025-05-08", "by": "someone", "count": 9}])
    (check,) = check_announcements(b)
    assert (check.actual, check.matches, check.difference, check.explained_at) == (
        2, False, [], None)


def test_the_host_is_not_a_foreign_leader_unless_asked() -> None:
    b = book([guest("host", "RU", host=True), *leaders(1)],
             [{"guest": "host", "at": "2025-04-01", "kind": "confirmed"}, *confirmed(["am"])],
             announcements=[{"at": "2025-05-01", "by": "x", "count": 1},
                            {"at": "2025-05-01", "by": "x", "count": 2, "foreign_only": False}])
    assert [c.matches for c in check_announcements(b)] == [True, True]
