"""Order of precedence: host, rank, seniority or alphabet (UCA, any script), overrides."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from paradeops.protocol.precedence import order, order_with_interpreters
from tests.protocol.conftest import book, guest


def test_host_then_heads_of_state_then_government_then_ministers() -> None:
    b = book([
        guest("fr-minister", "FR", "minister"),
        guest("am-pm", "AM", "head_of_government"),
        guest("by-president", "BY", "head_of_state"),
        guest("ru-president", "RU", "head_of_state", host=True),
    ])
    assert order(b) == ["ru-president", "by-president", "am-pm", "fr-minister"]


def test_seniority_in_office_then_those_without_a_date() -> None:
    b = book([
        guest("new", "AT", in_office_since="2024-01-01"),
        guest("undated", "AM"),
        guest("old", "BY", in_office_since="1994-07-20"),
    ])
    assert order(b) == ["old", "new", "undated"]


# Armenia, Austria, Azerbaijan, Belarus — in Russian: Австрия, Азербайджан, Армения, Беларусь.
COUNTRIES = [guest(c.lower(), c) for c in ("BY", "AZ", "AT", "AM")]


def test_alphabetical_in_english() -> None:
    b = book(COUNTRIES, precedence={"within_rank": "alphabetical", "language": "en"})
    assert order(b) == ["am", "at", "az", "by"]


def test_alphabetical_in_russian_uses_cyrillic_collation() -> None:
    b = book(COUNTRIES, precedence={"within_rank": "alphabetical", "language": "ru"})
    assert order(b) == ["at", "az", "am", "by"]


def test_collation_puts_yo_with_ye_not_after_ya() -> None:
    # Plain code-point order puts "Ё" (U+0401) before "А"; UCA sorts it with "Е".
    from paradeops.protocol.countries import collation_key

    words = ["Яма", "Ель", "Ёж", "Азия"]
    assert sorted(words)[0] == "Ёж"  # code points: wrong
    assert sorted(words, key=collation_key) == ["Азия", "Ёж", "Ель", "Яма"]


def test_overrides_move_a_guest_before_or_after_another() -> None:
    b = book(COUNTRIES, precedence={
        "within_rank": "alphabetical",
        "overrides": [{"guest": "by", "before": "am"}, {"guest": "am", "after": "az"}],
    })
    assert order(b) == ["by", "at", "az", "am"]


def test_interpreters_follow_their_principal() -> None:
    b = book([*COUNTRIES, guest("am-int", "AM", "other", interpreter_for="am")],
             precedence={"within_rank": "alphabetical"})
    assert order(b) == ["am", "at", "az", "by"]
    assert order_with_interpreters(b) == ["am", "am-int", "at", "az", "by"]


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError, match="no country names in language 'xx'"):
        book(COUNTRIES, precedence={"language": "xx"})
