"""What an announcement counts: leaders, delegations or persons, worked by hand.

The book (host country RU), everyone confirmed on 2025-04-20 unless said:

    FR  fr-pres (head of state), fr-spouse, fr-int (interpreter for fr-pres)
    DE  de-chan (head of government), de-int (a Russian interpreter for de-chan)
    CN  cn-pres (head of state), cn-spouse, cn-min (minister)
    US  us-amb (ambassador)
    KZ  kz-pres (head of state, cancels on 2025-05-06: illness), kz-spouse (still comes)
    LA  la-pres (head of state, only invited)

Interpreters have no events: they follow their principal. On 2025-05-07,
foreign guests only:

    leader  leaders      fr-pres de-chan cn-pres                             3
    leader  delegations  FR DE CN                                            3
    leader  persons      fr-pres fr-int de-chan de-int cn-pres               5
    any     leaders      fr-pres fr-spouse de-chan cn-pres cn-spouse cn-min
                         us-amb kz-spouse                                    8
    any     delegations  FR DE CN US KZ (KZ through the spouse)              5
    any     persons      the 8 above and fr-int de-int                      10

On 2025-05-05 kz-pres still counts: 4, 4, 6, 9, 5, 11.
"""

from __future__ import annotations

from typing import Any

import pytest

from paradeops.protocol.announcements import check_announcements, counted
from paradeops.protocol.guests import Announcement, GuestBook
from tests.protocol.conftest import book, guest


def small_book(announcements: list[dict[str, Any]] | None = None) -> GuestBook:
    guests = [
        guest("host", "RU", host=True),
        guest("fr-pres", "FR"), guest("fr-spouse", "FR", "other"),
        guest("fr-int", "FR", "other", interpreter_for="fr-pres"),
        guest("de-chan", "DE", "head_of_government"),
        guest("de-int", "RU", "other", interpreter_for="de-chan"),
        guest("cn-pres", "CN"), guest("cn-spouse", "CN", "other"),
        guest("cn-min", "CN", "minister"),
        guest("us-amb", "US", "ambassador"),
        guest("kz-pres", "KZ"), guest("kz-spouse", "KZ", "other"),
        guest("la-pres", "LA"),
    ]
    coming = ["fr-pres", "fr-spouse", "de-chan", "cn-pres", "cn-spouse", "cn-min", "us-amb",
              "kz-pres", "kz-spouse"]
    events = [
        {"guest": "la-pres", "at": "2025-04-10", "kind": "invited"},
        *({"guest": g, "at": "2025-04-20", "kind": "confirmed"} for g in coming),
        {"guest": "kz-pres", "at": "2025-05-06", "kind": "cancelled", "reason": "illness"},
    ]
    return book(guests, events, announcements=announcements or [])


def said(at: str, category: str, counts: str | None, count: int) -> dict[str, Any]:
    data = {"at": at, "by": "press office", "category": category, "count": count}
    return data if counts is None else {**data, "counts": counts}


@pytest.mark.parametrize(("category", "counts", "before", "after"), [
    ("leader", "leaders", 4, 3),
    ("leader", "delegations", 4, 3),
    ("leader", "persons", 6, 5),
    ("any", "leaders", 9, 8),
    ("any", "delegations", 5, 5),
    ("any", "persons", 11, 10),
])
def test_hand_worked_counts(category: str, counts: str, before: int, after: int) -> None:
    b = small_book()
    a = Announcement.model_validate(said("2025-05-07", category, counts, 0))
    assert len(counted(b, a, a.at)) == after
    assert len(counted(b, a, a.at.replace(day=5))) == before


def test_what_is_counted_is_named() -> None:
    b = small_book()
    delegations = Announcement.model_validate(said("2025-05-07", "any", "delegations", 5))
    persons = Announcement.model_validate(said("2025-05-07", "leader", "persons", 5))
    assert counted(b, delegations, delegations.at) == ["FR", "DE", "CN", "US", "KZ"]
    assert counted(b, persons, persons.at) == ["fr-pres", "fr-int", "de-chan", "de-int",
                                               "cn-pres"]


def test_delegations_announced_are_not_held_against_persons() -> None:
    """'5 foreign delegations' matches; before `counts`, the same number met 8 guests."""
    b = small_book([said("2025-05-07", "any", "delegations", 5),
                    said("2025-05-07", "any", None, 5)])
    delegations, old_style = check_announcements(b)
    assert (delegations.actual, delegations.matches) == (5, True)
    assert old_style.announcement.counts.value == "leaders"
    assert (old_style.actual, old_style.matches) == (8, False)


def test_a_delegation_stays_while_one_of_it_comes() -> None:
    b = small_book([said("2025-05-05", "any", "delegations", 5),
                    said("2025-05-07", "any", "delegations", 5),
                    said("2025-05-05", "leader", "delegations", 4),
                    said("2025-05-07", "leader", "delegations", 3)])
    any_before, any_after, leaders_before, leaders_after = check_announcements(b)
    assert all(c.matches for c in (any_before, any_after, leaders_before, leaders_after))
    assert any_after.changes == []  # kz-pres left, but KZ still sends kz-spouse
    assert [(c.guest, c.counted_before, c.counted_now, c.status.value, c.reason)
            for c in leaders_after.changes] == [("kz-pres", True, False, "cancelled", "illness")]


def test_a_stale_delegation_count_names_the_delegation() -> None:
    # Moments nearest 05-07 first: 05-06 gives 3 (KZ gone), 04-20 gives 4 = announced.
    b = small_book([said("2025-05-07", "leader", "delegations", 4)])
    (check,) = check_announcements(b)
    assert (check.actual, check.matches) == (3, False)
    assert check.difference == ["KZ"] and str(check.explained_at) == "2025-04-20"


def test_announcements_of_one_category_but_other_counts_are_not_compared() -> None:
    b = small_book([said("2025-05-05", "leader", "leaders", 4),
                    said("2025-05-07", "leader", "persons", 5)])
    _, persons = check_announcements(b)
    assert persons.matches and persons.changes == []


def test_an_unknown_counts_is_refused() -> None:
    with pytest.raises(ValueError, match="counts"):
        Announcement.model_validate(said("2025-05-07", "any", "people", 5))
