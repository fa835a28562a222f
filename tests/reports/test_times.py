"""The one JSON clock format: ISO 8601 with the offset in force, to a tenth of a second."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from paradeops.reports.times import iso_moment

MOSCOW = ZoneInfo("Europe/Moscow")
PARIS = ZoneInfo("Europe/Paris")
UTC = dt.UTC


def at(zone: ZoneInfo, *utc: int, us: int = 0) -> dt.datetime:
    return dt.datetime(*utc, microsecond=us, tzinfo=UTC).astimezone(zone)


def test_whole_seconds_have_no_fraction() -> None:
    # 07:00 UTC is 10:00 in Moscow (UTC+3 all year).
    assert iso_moment(at(MOSCOW, 2025, 5, 9, 7, 0, 0)) == "2025-05-09T10:00:00+03:00"


def test_a_tenth_is_kept_and_finer_is_rounded() -> None:
    # 21.546 s -> 21.5; 58.347 -> 58.3; 0.96 -> the next whole second, written short.
    assert iso_moment(at(MOSCOW, 2025, 5, 9, 7, 5, 21, us=546_000)) == "2025-05-09T10:05:21.5+03:00"
    assert (
        iso_moment(at(MOSCOW, 2025, 5, 9, 7, 16, 58, us=347_000)) == "2025-05-09T10:16:58.3+03:00"
    )
    assert iso_moment(at(MOSCOW, 2025, 5, 9, 7, 0, 59, us=960_000)) == "2025-05-09T10:01:00+03:00"


def test_rounding_across_the_autumn_change_takes_the_offset_of_the_rounded_instant() -> None:
    # Paris, 2025-10-26: at 01:00 UTC 03:00 (+02:00) becomes 02:00 (+01:00).
    # 00:59:59.96 UTC rounds to 01:00:00 UTC, which is 02:00:00+01:00.
    assert iso_moment(at(PARIS, 2025, 10, 26, 0, 59, 59, us=960_000)) == (
        "2025-10-26T02:00:00+01:00"
    )
    # 00:59:59.8 UTC is still 02:59:59.8+02:00.
    assert iso_moment(at(PARIS, 2025, 10, 26, 0, 59, 59, us=800_000)) == (
        "2025-10-26T02:59:59.8+02:00"
    )


@given(
    st.datetimes(
        min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2050, 1, 1), timezones=st.just(UTC)
    ),
    st.sampled_from([MOSCOW, PARIS, ZoneInfo("America/St_Johns"), UTC]),
)
def test_reads_back_within_a_twentieth_at_the_offset_in_force(
    moment: dt.datetime, zone: ZoneInfo
) -> None:
    local = moment.astimezone(zone)
    text = iso_moment(local)
    back = dt.datetime.fromisoformat(text)
    assert abs((back - moment).total_seconds()) <= 0.05 + 1e-9
    assert back.utcoffset() == back.astimezone(zone).utcoffset()
    seconds = text[17:].split("+")[0].split("-")[0]
    assert len(seconds) in (2, 4)  # "SS" or "SS.t"
    assert not seconds.endswith(".0")
