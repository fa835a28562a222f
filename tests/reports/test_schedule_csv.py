from __future__ import annotations

import csv
import io

from paradeops.reports.schedule_csv import CSV_COLUMNS, schedule_csv
from paradeops.timing.schedule import Schedule


def _rows(s: Schedule) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(schedule_csv(s))))


def test_header_and_one_row_per_unit_and_checkpoint(small_schedule: Schedule) -> None:
    text = schedule_csv(small_schedule)
    assert text.splitlines()[0].split(",") == list(CSV_COLUMNS)
    rows = _rows(small_schedule)
    ground = [u for u in small_schedule.units if u.trajectory is not None]
    assert len(rows) == len(ground) * len(small_schedule.checkpoints) + 1  # + the aircraft
    pairs = {(r["unit_id"], r["checkpoint"]) for r in rows}
    assert len(pairs) == len(rows)
    for u in ground:
        assert {(u.id, c.id) for c in small_schedule.checkpoints} <= pairs


def test_values(small_schedule: Schedule) -> None:
    rows = _rows(small_schedule)
    stop = next(r for r in rows if r["unit_id"] == "float-1" and r["checkpoint"] == "tribune")
    assert stop["head_leaves"].endswith("+03:00") and stop["order"] == "2"
    assert stop["unit_name"] == "Victory float" and stop["kind"] == "float"
    t90 = next(r for r in rows if r["unit_id"] == "t90m" and r["checkpoint"] == "start")
    assert t90["length_m"] == "182.6" and t90["speed_kmh"] == "20.0"
    assert t90["head"] == t90["step_off"] and float(t90["held_s"]) > 0
    assert t90["head_leaves"] == ""
    air = [r for r in rows if r["unit_id"] == "flypast-1"]
    assert [r["checkpoint"] for r in air] == ["tribune"]


def test_big_schedule_row_count(big_schedule: Schedule) -> None:
    assert len(_rows(big_schedule)) == sum(len(u.passes) for u in big_schedule.units)
