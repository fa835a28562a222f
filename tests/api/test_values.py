"""Values through the API, worked by hand, and the DataFrames they turn into.

The plan: a 450 m route (start 0 m, tribune 180 m, release 450 m) and two
columns of 2 vehicles, 10 m long, 10 m apart, at 18 km/h = 5 m/s.
Road space of a column: 2 × 10 + 1 × 10 = 30 m, so its tail passes a point
30 / 5 = 6 s after its head. The first steps off at 10:00:00; the second
when the 20 m gap behind the first's tail has opened: (30 + 20) / 5 = 10 s.
Heads at the tribune: 180 / 5 = 36 s and 10 + 36 = 46 s after 10:00:00.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import paradeops
from paradeops.extras import missing_extra_error
from tests.conftest import plan_text

pd = pytest.importorskip("pandas")

COLUMN = "- {{id: {id}, name: {name}, kind: vehicles, count: 2, vehicle_length_m: 10, spacing_m: 10, speed_kmh: 18}}\n"
UNITS = COLUMN.format(id="a", name="Column A") + COLUMN.format(id="b", name="Column B")
GAP = "defaults: {gap_m: 20, min_gap_m: 5}\n"
MOSCOW = ZoneInfo("Europe/Moscow")


def write_plan(folder: Path, text: str, name: str = "plan.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    return write_plan(tmp_path, plan_text(UNITS, extra=GAP))


def test_pass_times_through_the_api_are_distance_over_speed(plan_file: Path) -> None:
    s = paradeops.schedule(paradeops.load_plan(plan_file))
    a, b = s.units
    assert s.reference == dt.datetime(2025, 5, 9, 10, 0, tzinfo=MOSCOW)
    assert b.step_off == pytest.approx(10.0)
    assert a.at("tribune") == pytest.approx(("tribune", 36.0, 42.0, None))
    assert b.at("tribune").head == pytest.approx(46.0)  # type: ignore[union-attr]
    assert b.at("release").tail == pytest.approx(10 + 90 + 6)  # type: ignore[union-attr]


def test_schedule_takes_a_path_str_or_pathlike(plan_file: Path) -> None:
    by_str = paradeops.schedule(str(plan_file))
    by_path = paradeops.schedule(plan_file)
    assert [u.passes for u in by_str.units] == [u.passes for u in by_path.units]


def test_schedule_frame_one_row_per_pass_with_aware_timestamps(plan_file: Path) -> None:
    frame = paradeops.schedule(plan_file).to_frame()
    assert frame.shape == (6, 12)
    assert list(frame.columns) == [
        "order", "unit_id", "unit_name", "kind", "checkpoint", "at_m",
        "head", "tail", "head_leaves", "head_s", "tail_s", "head_leaves_s",
    ]  # fmt: skip
    assert list(frame["unit_id"]) == ["a"] * 3 + ["b"] * 3
    assert list(frame["checkpoint"]) == ["start", "tribune", "release"] * 2
    assert list(frame["order"]) == [1, 1, 1, 2, 2, 2]
    assert pd.api.types.is_string_dtype(frame["unit_name"])
    assert str(frame["order"].dtype) == "Int64"
    for col in ("head", "tail", "head_leaves"):
        assert isinstance(frame[col].dtype, pd.DatetimeTZDtype)
        assert str(frame[col].dt.tz) == "Europe/Moscow"
    row = frame[(frame.unit_id == "b") & (frame.checkpoint == "tribune")].iloc[0]
    assert row["head"] == pd.Timestamp("2025-05-09 10:00:46", tz="Europe/Moscow")
    assert row["tail"] == pd.Timestamp("2025-05-09 07:00:52", tz="UTC")
    assert row["head_s"] == pytest.approx(46.0)
    assert row["at_m"] == 180.0
    assert frame["head_leaves"].isna().all() and frame["head_leaves_s"].isna().all()
    assert frame.attrs["parade"] == "Test parade"


def test_clock_times_cross_a_daylight_saving_change(tmp_path: Path) -> None:
    # Berlin, 30 March 2025: at 02:00 CET the clocks jump to 03:00 CEST.
    # Start 01:59:40 CET; column a's head reaches the tribune 36 s later,
    # 00:00:16 UTC... that is 01:00:16 UTC = 03:00:16 CEST (02:00:16 never happened).
    text = plan_text(UNITS, extra=GAP).replace(
        "date: 2025-05-09, timezone: Europe/Moscow, start: \"10:00:00\"",
        "date: 2025-03-30, timezone: Europe/Berlin, start: \"01:59:40\"",
    )
    assert "Europe/Berlin" in text
    frame = paradeops.schedule(write_plan(tmp_path, text)).to_frame()
    head = frame[(frame.unit_id == "a") & (frame.checkpoint == "tribune")]["head"].iloc[0]
    assert head == pd.Timestamp("2025-03-30 03:00:16", tz="Europe/Berlin")
    assert head.utcoffset() == dt.timedelta(hours=2)
    start = frame[(frame.unit_id == "a") & (frame.checkpoint == "start")]["head"].iloc[0]
    assert start.utcoffset() == dt.timedelta(hours=1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    speeds=st.lists(st.integers(min_value=3, max_value=30), min_size=1, max_size=4),
    count=st.integers(min_value=1, max_value=5),
)
def test_frame_times_are_the_reference_plus_the_seconds(
    tmp_path: Path, speeds: list[int], count: int
) -> None:
    units = "".join(
        f"- {{id: u{i}, kind: vehicles, count: {count}, vehicle_length_m: 8, spacing_m: 12, speed_kmh: {v}}}\n"
        for i, v in enumerate(speeds)
    )
    s = paradeops.schedule(write_plan(tmp_path, plan_text(units, extra=GAP)))
    frame = s.to_frame()
    assert len(frame) == sum(len(u.passes) for u in s.units)
    assert (frame["tail_s"] >= frame["head_s"]).all()
    reference = pd.Timestamp(s.reference)
    for col in ("head", "tail"):
        back = (frame[col] - reference).dt.total_seconds()
        assert (abs(back - frame[f"{col}_s"]) <= 0.0005 + 1e-9).all()


def test_simulation_frame_shapes_and_probabilities(plan_file: Path) -> None:
    plan = paradeops.load_plan(plan_file)
    s = paradeops.schedule(plan)
    r = paradeops.simulate(plan, runs=20, seed=3, planned=s)
    assert (r.runs, r.seed) == (20, 3)
    frame = r.to_frame(s)
    assert len(frame) == 6
    assert list(frame["unit_id"]) == ["a"] * 3 + ["b"] * 3
    assert frame["held_probability"].between(0, 1).all()
    # The gap in front of b is measured at the reviewing stand only.
    b = frame[frame.unit_id == "b"].set_index("checkpoint")
    assert b["gap_probability"].notna().tolist() == [False, True, False]
    assert (frame["head_p5_s"] <= frame["head_p50_s"]).all()
    assert (frame["head_p50_s"] <= frame["head_p95_s"]).all()
    assert isinstance(frame["tail_p95"].dtype, pd.DatetimeTZDtype)
    assert frame.attrs["runs"] == 20 and 0 <= frame.attrs["probability_late"] <= 1
    without_clock = r.to_frame()
    assert "head_p50" not in without_clock.columns and "head_p50_s" in without_clock.columns


def test_the_same_seed_gives_the_same_runs(plan_file: Path) -> None:
    one = paradeops.simulate(plan_file, runs=10, seed=11).to_frame()
    two = paradeops.simulate(plan_file, runs=10, seed=11).to_frame()
    pd.testing.assert_frame_equal(one, two)


def test_compose_counts_by_class_hand_counted(examples: Path) -> None:
    # The article's "three times more equipment than in 2023": 99 vehicles vs 33.
    cmp = paradeops.compose([examples / "victory-day-2025" / "plan.yaml",
                             examples / "victory-day-2023" / "plan.yaml"])  # fmt: skip
    frame = cmp.to_frame()
    assert list(frame.columns) == ["Victory Day Parade 2025", "Victory Day Parade 2023"]
    assert frame.loc[("total", "vehicles")].tolist() == [99, 33]
    assert frame.loc[("total", "units")].tolist() == [44, 24]
    assert (frame.dtypes == "int64").all()
    by_class = frame.loc["class"]
    assert by_class.sum().tolist() == [99 + 22, 33]  # vehicles and aircraft, by class
    assert frame.attrs["ratios"] == ["3.0× the vehicles of Victory Day Parade 2023"]


def test_seating_frame_one_row_per_seated_guest(examples: Path) -> None:
    book = paradeops.load_guests(examples / "victory-day-2025" / "guests.yaml")
    tribunes = paradeops.load_tribunes(examples / "victory-day-2025" / "tribunes.yaml")
    seating = paradeops.seat(book, tribunes, time_limit=10)
    frame = seating.to_frame(book, tribunes)
    assert len(frame) == len(seating.seats)
    assert frame["guest"].is_unique
    assert list(frame["honour"]) == sorted(frame["honour"])
    first = frame.iloc[0]
    # The host sits on the host seat (tribunes.yaml: centre, row 1, seat 8), honour 0.
    assert (first["section"], first["row"], first["seat"], first["honour"]) == ("centre", 1, 8, 0)
    assert first["precedence"] == 0
    assert str(frame["precedence"].dtype) == "Int64"
    assert frame.attrs["status"] == seating.status


def test_guests_and_announcements_29_then_27(examples: Path) -> None:
    guests = examples / "victory-day-2025" / "guests.yaml"
    checks = paradeops.announcements(guests)
    assert [(c.announcement.count, c.actual, c.matches) for c in checks] == [
        (29, 29, True), (27, 27, True)
    ]  # fmt: skip
    assert paradeops.guest_status(guests)["az-president"].value == "cancelled"
    before = paradeops.guest_status(guests, as_of=dt.date(2025, 4, 20))
    assert before["az-president"].value == "confirmed"


# ------------------------------------------------------------- bad input


def test_a_missing_plan_is_a_user_error_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(paradeops.UserError) as e:
        paradeops.load_plan(missing)
    assert "nope.yaml" in str(e.value)


def test_a_bad_plan_is_a_user_error_with_line_and_field(tmp_path: Path) -> None:
    text = plan_text(UNITS.replace("speed_kmh: 18}\n", "speed_kmh: -1}\n", 1))
    with pytest.raises(paradeops.UserError) as e:
        paradeops.schedule(write_plan(tmp_path, text))
    assert "plan.yaml:" in str(e.value) and "units[0].speed_kmh" in str(e.value)


@pytest.mark.parametrize("path", [None, 42, ""])
def test_a_path_that_is_not_a_file_name_is_a_user_error(path: object) -> None:
    with pytest.raises(paradeops.UserError, match="file name"):
        paradeops.load_plan(path)  # type: ignore[arg-type]


@pytest.mark.parametrize(("runs", "seed", "field"), [(0, None, "runs"), (True, None, "runs"),
                                                     (10, -1, "seed"), (10, 2**128, "seed"),
                                                     (10, 1.5, "seed")])  # fmt: skip
def test_bad_runs_or_seed_are_user_errors(plan_file: Path, runs: object, seed: object,
                                          field: str) -> None:  # fmt: skip
    with pytest.raises(paradeops.UserError) as e:
        paradeops.simulate(plan_file, runs=runs, seed=seed)  # type: ignore[arg-type]
    assert e.value.problems[0].field == field


def test_compose_needs_a_list_of_plans(plan_file: Path) -> None:
    for bad in ([], plan_file, str(plan_file)):
        with pytest.raises(paradeops.UserError, match="compose"):
            paradeops.compose(bad)  # type: ignore[arg-type]


def test_as_of_takes_iso_text_as_the_cli_does(examples: Path) -> None:
    guests = examples / "victory-day-2025" / "guests.yaml"
    assert paradeops.guest_status(guests, as_of="2025-04-20")["az-president"].value == "confirmed"
    late = paradeops.guest_status(guests, as_of="2025-05-09T12:00+03:00")
    assert late["az-president"].value == "cancelled"
    with pytest.raises(paradeops.UserError, match="not a date"):
        paradeops.guest_status(guests, as_of="5 May")


def test_a_naive_as_of_is_a_user_error(examples: Path) -> None:
    with pytest.raises(paradeops.UserError, match="no UTC offset"):
        paradeops.guest_status(examples / "victory-day-2025" / "guests.yaml",
                               as_of=dt.datetime(2025, 5, 5, 12))  # fmt: skip


# ------------------------------------------------------- missing extras


def test_simulate_without_numba_names_the_extra(
    plan_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "numba", None)  # import numba now fails
    with pytest.raises(paradeops.UserError) as e:
        paradeops.simulate(plan_file, runs=5, seed=1)
    assert str(e.value) == str(missing_extra_error("numba", what="simulate"))
    assert "paradeops[sim]" in str(e.value)


def test_seat_without_ortools_names_the_extra(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ortools", None)
    with pytest.raises(paradeops.UserError, match=r"paradeops\[seating\]"):
        paradeops.seat(examples / "victory-day-2025" / "guests.yaml",
                       examples / "victory-day-2025" / "tribunes.yaml")  # fmt: skip


def test_load_guests_without_pycountry_names_the_extra(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pycountry", None)
    with pytest.raises(paradeops.UserError, match=r"paradeops\[protocol\]"):
        paradeops.load_guests(examples / "victory-day-2025" / "guests.yaml")


@pytest.mark.parametrize(
    ("name", "arg"),
    [("load_tribunes", "tribunes.yaml"), ("guest_status", "guests.yaml"),
     ("announcements", "guests.yaml")],
)  # fmt: skip
def test_every_protocol_function_without_pycountry_names_the_extra(
    examples: Path, monkeypatch: pytest.MonkeyPatch, name: str, arg: str
) -> None:
    monkeypatch.setitem(sys.modules, "pycountry", None)
    with pytest.raises(paradeops.UserError, match=r"paradeops\[protocol\]"):
        getattr(paradeops, name)(examples / "victory-day-2025" / arg)


def test_to_frame_without_pandas_says_pip_install_pandas(
    plan_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = paradeops.schedule(plan_file)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(paradeops.UserError) as e:
        s.to_frame()
    assert "pip install pandas" in str(e.value)


def test_a_show_stop_gives_head_leaves(examples: Path) -> None:
    # The Carnival Queen float (city parade): 11 m at 3.6 km/h = 1 m/s, a 60 s
    # show stop at the grandstand. The head leaves 60 s after arriving; the
    # tail passes 11 m / 1 m/s = 11 s after the head moves on.
    frame = paradeops.schedule(examples / "city-parade" / "plan.yaml").to_frame()
    row = frame[(frame.unit_id == "float-carnival-queen") & (frame.checkpoint == "grandstand")]
    (head, leaves, tail) = row[["head", "head_leaves", "tail"]].iloc[0]
    ms = pd.Timedelta(milliseconds=1)  # each clock time is rounded to the millisecond
    assert abs(leaves - head - pd.Timedelta(seconds=60)) <= ms
    assert abs(tail - leaves - pd.Timedelta(seconds=11)) <= ms
    assert str(head.tz) == "Europe/London" and head.utcoffset() == dt.timedelta(hours=1)
    assert row["head_leaves_s"].iloc[0] - row["head_s"].iloc[0] == pytest.approx(60)
    # Only units that stop at a checkpoint have a head_leaves there.
    assert frame["head_leaves"].notna().sum() == 25
