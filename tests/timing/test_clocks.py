"""Clock times worked by hand: daylight-saving days, parades across midnight.

Every plan here has the same road: start 0 m, tribune 180 m, release 450 m,
and units of one 10 m vehicle at 18 km/h = 5 m/s. A head takes 36 s from the
start to the tribune and 90 s to the release; its tail follows 2 s later.

Europe/Paris changes on 2025-03-30 at 01:00 UTC (02:00 CET becomes 03:00
CEST, +01:00 to +02:00) and on 2025-10-26 at 01:00 UTC (03:00 CEST becomes
02:00 CET); on 2025-07-14 it is +02:00 all day.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from paradeops.model.clock import ClockError, instant, offset_changes, parse_clock_time
from paradeops.reports.ics import rehearsal_window
from paradeops.reports.schedule_csv import schedule_csv
from paradeops.reports.schedule_json import schedule_to_dict
from paradeops.reports.schedule_table import render_text, zone_note
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule

CAR = "{{id: {id}, kind: vehicles, count: 1, vehicle_length_m: 10, spacing_m: 0, speed_kmh: 18{more}}}"


def plan(date: str, start: str, *units: str, window_end: str | None = None) -> str:
    end = "" if window_end is None else f", window_end: {window_end}"
    return textwrap.dedent(
        f"""\
        version: 1
        parade: {{name: Clocks, date: {date}, timezone: Europe/Paris, start: "{start}"{end}}}
        route:
          checkpoints:
            - {{id: start, at_m: 0}}
            - {{id: tribune, at_m: 180, reviewing: true}}
            - {{id: release, at_m: 450}}
        units:
        """
    ) + "".join(f"  - {u}\n" for u in units)


def car(uid: str, more: str = "") -> str:
    return CAR.format(id=uid, more=more)


def jet(uid: str, at: str) -> str:
    return f'{{id: {uid}, kind: aircraft, over: tribune, at: "{at}"}}'


def run(text: str) -> Schedule:
    return schedule(parse_plan(text, "plan.yaml"))


def problems(text: str) -> list[str]:
    with pytest.raises(UserError) as e:
        run(text)
    return [str(p) for p in e.value.problems]


def unit_json(s: Schedule, uid: str) -> dict:  # type: ignore[type-arg]
    doc = schedule_to_dict(s)
    return next(u for u in doc["units"] if u["id"] == uid)  # type: ignore[no-any-return]


def head_at(s: Schedule, uid: str, checkpoint: str) -> str:
    return next(p["head"] for p in unit_json(s, uid)["passes"] if p["checkpoint"] == checkpoint)


# --- spring: 2025-03-30, +01:00 until 02:00, +02:00 from 03:00 ------------------


SPRING = plan(
    "2025-03-30",
    "01:30:00",
    car("a"),
    jet("early", "01:50:00"),
    car("b", ', step_off: "03:30:00"'),
    window_end='"03:40:00"',
)


def test_spring_times_after_the_change_are_at_the_new_offset() -> None:
    s = run(SPRING)
    # 01:30+01:00 is 00:30 UTC; 03:30+02:00 is 01:30 UTC: one hour apart.
    assert s.reference.isoformat() == "2025-03-30T01:30:00+01:00"
    b = next(u for u in s.units if u.id == "b")
    assert b.step_off == 3600.0
    assert unit_json(s, "b")["step_off"] == "2025-03-30T03:30:00+02:00"
    assert head_at(s, "b", "tribune") == "2025-03-30T03:30:36+02:00"
    # Before the change: 01:50+01:00, 20 min after the start.
    assert head_at(s, "early", "tribune") == "2025-03-30T01:50:00+01:00"
    # 03:40+02:00 is 01:40 UTC, 70 min after the start.
    assert s.window_end == 4200.0
    assert schedule_to_dict(s)["summary"]["window_end"] == "2025-03-30T03:40:00+02:00"
    assert not s.findings


def test_spring_a_unit_marching_through_the_change() -> None:
    # Head at the start 01:59:50+01:00 (00:59:50 UTC); 90 s later at the
    # release: 01:01:20 UTC, which Paris shows as 03:01:20+02:00.
    s = run(plan("2025-03-30", "01:59:50", car("a")))
    assert head_at(s, "a", "start") == "2025-03-30T01:59:50+01:00"
    assert head_at(s, "a", "release") == "2025-03-30T03:01:20+02:00"
    csv_rows = schedule_csv(s).splitlines()
    assert "2025-03-30T03:01:20+02:00" in csv_rows[3]
    # The table gives the start's offset once and marks the times after the change.
    text = render_text(s)
    assert "2025-03-30, Europe/Paris, UTC+01:00; from 03:00:00 UTC+02:00" in text
    assert "03:01:20+02:00" in text and "01:59:50–01:59:52 " in text
    assert "CET" not in text


def test_spring_a_time_the_clocks_skip_is_an_error_naming_both_instants() -> None:
    found = problems(SPRING.replace('step_off: "03:30:00"', 'step_off: "02:30:00"'))
    assert len(found) == 1
    # 02:30 at the old offset (+01:00) is 01:30 UTC = 03:30+02:00; at the
    # new one (+02:00) it is 00:30 UTC = 01:30+01:00.
    assert found[0].startswith("plan.yaml:11: units[2].step_off: 02:30:00 does not exist")
    assert "2025-03-30T03:30:00+02:00" in found[0]
    assert "2025-03-30T01:30:00+01:00" in found[0]


def test_spring_the_same_instant_written_with_its_offset() -> None:
    iso = SPRING.replace('step_off: "03:30:00"', "step_off: 2025-03-30T01:30:00+00:00")
    assert unit_json(run(iso), "b")["step_off"] == "2025-03-30T03:30:00+02:00"


# --- autumn: 2025-10-26, +02:00 until 03:00, then 02:00–03:00 again at +01:00 ---


AUTUMN = plan("2025-10-26", "01:30:00", car("a"), car("b", ', step_off: "03:30:00"'))


def test_autumn_times_after_the_change_are_at_the_new_offset() -> None:
    s = run(AUTUMN)
    # 01:30+02:00 is 23:30 UTC the day before; 03:30+01:00 is 02:30 UTC: 3 h.
    assert s.reference.isoformat() == "2025-10-26T01:30:00+02:00"
    assert next(u for u in s.units if u.id == "b").step_off == 3 * 3600.0
    assert unit_json(s, "b")["step_off"] == "2025-10-26T03:30:00+01:00"


def test_autumn_a_time_the_clocks_show_twice_needs_its_offset() -> None:
    (found,) = problems(AUTUMN.replace('"03:30:00"', '"02:30:00"'))
    assert found.startswith("plan.yaml:10: units[1].step_off: 02:30:00 happens twice")
    assert "2025-10-26T02:30:00+02:00" in found and "2025-10-26T02:30:00+01:00" in found
    # Either offset picks one: 00:30 UTC (1 h after the start) or 01:30 UTC (2 h).
    first = run(AUTUMN.replace('"03:30:00"', "2025-10-26T02:30:00+02:00"))
    second = run(AUTUMN.replace('"03:30:00"', '"2025-10-26T02:30:00+01:00"'))
    assert first.units[1].step_off == 3600.0
    assert second.units[1].step_off == 7200.0
    assert unit_json(second, "b")["step_off"] == "2025-10-26T02:30:00+01:00"


def test_autumn_a_unit_marching_through_the_change() -> None:
    # 02:59:30+02:00 is 00:59:30 UTC; +90 s = 01:01:00 UTC = 02:01:00+01:00.
    s = run(plan("2025-10-26", "2025-10-26T02:59:30+02:00", car("a")))
    assert head_at(s, "a", "release") == "2025-10-26T02:01:00+01:00"
    assert "02:01:00+01:00" in render_text(s)


# --- across midnight: 2025-07-14 23:40 to the small hours of the 15th ---------


def midnight(window: str, step_off: str, at: str, target: str) -> str:
    return plan(
        "2025-07-14",
        "23:40:00",
        car("a"),
        car("b", f", step_off: {step_off}"),
        car("c", f", target: {{at: tribune, head: {target}}}"),
        jet("jet", at),
        window_end=window,
    )


NEXT_DAY = midnight('"24:30:00"', '"24:05:00"', "24:00:00", '"24:25:00"')
NEXT_DAY_ISO = midnight(
    "2025-07-15T00:30:00+02:00",
    '"2025-07-15T00:05:00+02:00"',
    "2025-07-14T22:00:00Z",
    "2025-07-15T00:25:00+02:00",
)


@pytest.mark.parametrize("text", [NEXT_DAY, NEXT_DAY_ISO], ids=["24:MM", "ISO"])
def test_a_parade_across_midnight(text: str) -> None:
    s = run(text)
    # 24:05 is 25 min after 23:40; 24:30 is 50 min; 24:00 is 20 min.
    a, b, c, plane = s.units
    assert b.step_off == 1500.0 and b.held_s == 0
    assert unit_json(s, "b")["step_off"] == "2025-07-15T00:05:00+02:00"
    assert s.window_end == 3000.0
    assert plane.step_off == 1200.0
    assert head_at(s, "jet", "tribune") == "2025-07-15T00:00:00+02:00"
    # The target at the tribune, 36 s from the start, fixes c's step-off: 24:24:24.
    assert head_at(s, "c", "tribune") == "2025-07-15T00:25:00+02:00"
    assert unit_json(s, "c")["step_off"] == "2025-07-15T00:24:24+02:00"
    assert not s.findings  # no window breach, no hold, no early aircraft
    assert "(2025-07-14 to 2025-07-15, Europe/Paris, UTC+02:00)" in render_text(s)


def test_times_after_midnight_written_without_24_are_errors_that_say_how() -> None:
    found = problems(midnight('"00:30:00"', '"00:05:00"', "00:00:00", '"00:25:00"'))
    assert found == [
        "plan.yaml:2: parade.window_end: 00:30:00 (2025-07-14T00:30:00+02:00) is before "
        "parade.start 23:40:00 (2025-07-14T23:40:00+02:00)\n"
        "  → a time after midnight is written 24:30:00 (or 2025-07-15T00:30:00+02:00); "
        "otherwise give a time after the start",
        "plan.yaml:10: units[1].step_off: 00:05:00 (2025-07-14T00:05:00+02:00) is before "
        "parade.start 23:40:00 (2025-07-14T23:40:00+02:00)\n"
        "  → a time after midnight is written 24:05:00 (or 2025-07-15T00:05:00+02:00); "
        "otherwise give a time after the start",
        "plan.yaml:11: units[2].target.head: 00:25:00 (2025-07-14T00:25:00+02:00) is before "
        "parade.start 23:40:00 (2025-07-14T23:40:00+02:00)\n"
        "  → a time after midnight is written 24:25:00 (or 2025-07-15T00:25:00+02:00); "
        "otherwise give a time after the start",
    ]


def test_an_aircraft_before_the_start_is_allowed_and_flagged_when_an_hour_early() -> None:
    opening = run(plan("2025-07-14", "23:40:00", car("a"), jet("jet", "22:45:00")))
    assert opening.units[1].step_off == -55 * 60.0
    assert not opening.findings  # 55 min before: an opening flypast
    s = run(plan("2025-07-14", "23:40:00", car("a"), jet("jet", "00:00:00")))
    (f,) = s.findings
    assert (f.kind, f.severity, f.unit) == ("flypast", "warning", "jet")
    assert f.amount == 23 * 3600 + 40 * 60
    assert f.message == (
        "jet flies over tribune at 00:00:00, 23 h 40 min before the parade starts at "
        "23:40:00; if it is meant after midnight, write 24:00:00"
    )
    doc = schedule_to_dict(s)
    assert doc["findings"][0]["time"] == "2025-07-14T00:00:00+02:00"


def test_an_impossible_target_after_midnight_gets_a_hint_after_midnight() -> None:
    # b steps off at 24:05:00 (1500 s). c, targeted at the tribune at 24:05:10,
    # would have to leave before b; it is held 5 m (min_gap) behind b's tail,
    # which passes 185 m at 1500 + (10 + 185) / 5 = 1539 s: 24:05:39.
    text = plan(
        "2025-07-14",
        "23:40:00",
        car("a"),
        car("b", ', step_off: "24:05:00"'),
        car("c", ', target: {at: tribune, head: "24:05:10"}'),
    )
    (found,) = problems(text)
    assert "cannot pass tribune at 24:05:10" in found
    assert "until 24:05:39" in found and "set the target at 24:05:39 or later" in found


def test_a_start_the_clocks_skip_is_located() -> None:
    (found,) = problems(plan("2025-03-30", "02:15:00", car("a")))
    assert found.startswith("plan.yaml:2: parade.start: 02:15:00 does not exist on 2025-03-30")


def test_a_rehearsal_on_a_spring_night_lasts_its_real_hour() -> None:
    text = SPRING + textwrap.dedent(
        """\
        rehearsals:
          - {id: r1, date: 2025-03-30, start: "01:30:00", duration_s: 3600, place: Field}
        """
    )
    p = parse_plan(text, "plan.yaml")
    start, end = rehearsal_window(p, p.rehearsals[0])
    # 00:30 UTC + 1 h = 01:30 UTC = 03:30+02:00 (not the non-existent 02:30).
    assert (start.isoformat(), end.isoformat()) == (
        "2025-03-30T01:30:00+01:00",
        "2025-03-30T03:30:00+02:00",
    )
    skipped = text.replace('start: "01:30:00", duration', 'start: "02:10:00", duration')
    (found,) = problems(skipped)
    assert found.startswith("plan.yaml:13: rehearsals[0].start: 02:10:00 does not exist")


def test_clock_fields_keep_their_spelling_in_json() -> None:
    p = parse_plan(NEXT_DAY, "plan.yaml")
    doc = json.loads(p.model_dump_json(by_alias=True))
    assert doc["parade"]["window_end"] == "24:30:00"
    assert doc["units"][3]["at"] == "24:00:00"


@pytest.mark.parametrize(
    "text",
    ["48:00:00", "24:60:00", "2025-07-15T00:30:00", "half past ten", "7", ""],
)
def test_unreadable_clock_times(text: str) -> None:
    with pytest.raises(ValueError, match="expected a clock time|has no UTC offset"):
        parse_clock_time(text)


# --- property: a wall-clock time comes back as itself --------------------------


ZONES = sorted(z for z in available_timezones() if "/" in z and not z.startswith("posix"))


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    date=st.dates(dt.date(1980, 1, 1), dt.date(2037, 12, 31)),
    hours=st.integers(0, 47),
    minutes=st.integers(0, 59),
    seconds=st.integers(0, 59),
)
def test_a_clock_time_names_an_instant_showing_that_wall_clock_time(
    zone: str, date: dt.date, hours: int, minutes: int, seconds: int
) -> None:
    tz = ZoneInfo(zone)
    clock = parse_clock_time(f"{hours:02d}:{minutes:02d}:{seconds:02d}")
    day = date + dt.timedelta(days=hours // 24)
    wall = dt.datetime(day.year, day.month, day.day, hours % 24, minutes, seconds)
    try:
        at = instant(clock, date, tz, "t")
    except ClockError as e:
        # Skipped or repeated that day; either way each instant the message
        # offers, read back, is a real one and shows its own wall-clock time.
        offered = [w for w in e.hint.split() if w[:4].isdigit() and "T" in w]
        assert len(offered) == 2
        for text in offered:
            moment = instant(parse_clock_time(text.rstrip(",")), date, tz, "t")
            assert moment.isoformat() == text.rstrip(",")
        return
    assert at.astimezone(tz).replace(tzinfo=None) == wall
    # Through UTC and back: the same instant, at the offset in force.
    assert at.astimezone(dt.UTC).astimezone(tz) == at


# --- every change of offset, however many ---------------------------------------


@pytest.mark.parametrize(
    ("zone", "start", "end", "changes"),
    [
        # Paris: forward on 30 March at 01:00 UTC, back on 26 October at 01:00 UTC.
        ("Europe/Paris", "2025-03-01T00:00", "2025-11-01T00:00",
         ["2025-03-30T03:00:00+02:00", "2025-10-26T02:00:00+01:00"]),
        # Casablanca leaves +01:00 for Ramadan: 03:00 becomes 02:00 on 23 February,
        # 02:00 becomes 03:00 on 6 April.
        ("Africa/Casablanca", "2025-02-01T00:00", "2025-05-01T00:00",
         ["2025-02-23T02:00:00+00:00", "2025-04-06T03:00:00+01:00"]),
        ("Europe/Paris", "2025-07-14T00:00", "2025-07-15T23:59", []),
    ],
)  # fmt: skip
def test_every_change_of_offset_is_found(zone: str, start: str, end: str, changes: list[str]) -> None:
    z = ZoneInfo(zone)
    found = offset_changes(
        dt.datetime.fromisoformat(start).replace(tzinfo=z),
        dt.datetime.fromisoformat(end).replace(tzinfo=z),
    )
    assert [c.isoformat() for c in found] == changes


def test_a_table_spanning_two_changes_names_both_with_their_dates() -> None:
    # An absurd plan, but the title must not lie: b steps off in October.
    s = run(plan("2025-03-30", "01:30:00", car("a"),
                 car("b", ', step_off: "2025-10-26T02:30:00+01:00"')))  # fmt: skip
    assert zone_note(s) == (
        "2025-03-30 to 2025-10-26, Europe/Paris, UTC+01:00; "
        "from 2025-03-30 03:00:00 UTC+02:00 (marked); from 2025-10-26 02:00:00 UTC+01:00 (marked)"
    )
