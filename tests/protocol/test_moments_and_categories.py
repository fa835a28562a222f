"""How a moment is read from text (CLI ``--as-of``, the service's ``?as_of=``, the API's
``as_of``), and the categories an announcement may count."""

from __future__ import annotations

import datetime as dt

import pytest

from paradeops.errors import UserError
from paradeops.protocol.guests import (
    AnnouncedCategory,
    Category,
    moment_from_text,
    read_moment,
)

MSK = dt.timezone(dt.timedelta(hours=3))


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2025-05-05", dt.date(2025, 5, 5)),
        ("  2025-05-05\n", dt.date(2025, 5, 5)),
        ("2025-05-07T12:00+03:00", dt.datetime(2025, 5, 7, 12, 0, tzinfo=MSK)),
        ("2025-05-07 12:00:30+03:00", dt.datetime(2025, 5, 7, 12, 0, 30, tzinfo=MSK)),
    ],
)
def test_dates_and_aware_datetimes(text: str, moment: dt.date) -> None:
    assert read_moment(text, "--as-of") == moment
    assert type(read_moment(text, "--as-of")) is type(moment)


def test_a_naive_datetime_is_read_but_refused_by_read_moment() -> None:
    assert moment_from_text("2025-05-07T12:00") == dt.datetime(2025, 5, 7, 12, 0)
    with pytest.raises(UserError) as caught:
        read_moment("2025-05-07T12:00", "as_of")
    assert str(caught.value) == (
        "as_of: '2025-05-07T12:00' has no UTC offset\n"
        "  → add the offset, e.g. 2025-05-07T12:00+03:00, or give a date"
    )


@pytest.mark.parametrize("text", ["5 May", "2025-02-30", "", "2025-05-07T25:00+03:00"])
def test_not_a_date(text: str) -> None:
    with pytest.raises(ValueError):
        moment_from_text(text)
    with pytest.raises(UserError) as caught:
        read_moment(text, "--as-of")
    assert str(caught.value) == (
        f"--as-of: {text!r} is not a date\n  → write YYYY-MM-DD or 2025-05-07T12:00+03:00"
    )


def test_an_announcement_may_count_every_guest_category() -> None:
    # announcements.counts_as compares a guest's category with the announced one by value.
    announced = {c.value for c in AnnouncedCategory}
    assert {c.value for c in Category} <= announced
    assert announced - {c.value for c in Category} == {"leader", "any"}


@pytest.mark.parametrize("value", [0, 1746748800, "20250509", "2019-05-20T10:00:00Z", True])
def test_in_office_since_is_a_calendar_date(value: object) -> None:
    from pydantic import ValidationError

    from paradeops.protocol.guests import Guest

    with pytest.raises(ValidationError):
        Guest.model_validate({"id": "g", "name": "G", "country": "FR", "in_office_since": value})
    ok = Guest.model_validate(
        {"id": "g", "name": "G", "country": "FR", "in_office_since": "2019-05-20"}
    )
    assert ok.in_office_since is not None and ok.in_office_since.year == 2019
