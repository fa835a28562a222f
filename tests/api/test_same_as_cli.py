"""The API gives what the CLI gives: same readers, same core, same numbers."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import paradeops
from tests.conftest import Run

pd = pytest.importorskip("pandas")


def test_schedule_frame_matches_the_cli_csv(cli: Run, examples: Path) -> None:
    plan = examples / "victory-day-2025" / "plan.yaml"
    got = cli("schedule", plan, "--format", "csv")
    assert got.code == 0, got.err
    rows = list(csv.DictReader(io.StringIO(got.out)))
    frame = paradeops.schedule(plan).to_frame()
    assert len(frame) == len(rows)
    assert list(frame["unit_id"]) == [r["unit_id"] for r in rows]
    assert list(frame["checkpoint"]) == [r["checkpoint"] for r in rows]
    # The CSV keeps tenths of a second; the frame the milliseconds.
    csv_heads = pd.to_datetime([r["head"] for r in rows], format="ISO8601", utc=True)
    diff = (frame["head"].dt.tz_convert("UTC").to_numpy() - csv_heads.to_numpy())
    assert abs(pd.to_timedelta(diff)).max() <= pd.Timedelta(milliseconds=50)


def test_simulate_matches_the_cli_json_for_the_same_seed(cli: Run, tmp_path: Path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "version: 1\n"
        "parade: {name: Test parade, date: 2025-05-09, timezone: Europe/Moscow, start: \"10:00:00\"}\n"
        "route:\n  checkpoints:\n    - {id: start, at_m: 0}\n"
        "    - {id: tribune, at_m: 180, reviewing: true}\n    - {id: release, at_m: 450}\n"
        "defaults: {gap_m: 20, min_gap_m: 5}\n"
        "units:\n"
        "  - {id: a, kind: vehicles, count: 2, vehicle_length_m: 10, spacing_m: 10, speed_kmh: 18}\n"
        "  - {id: b, kind: vehicles, count: 2, vehicle_length_m: 10, spacing_m: 10, speed_kmh: 18}\n",
        encoding="utf-8",
    )
    got = cli("simulate", plan, "--runs", "15", "--seed", "5", "--format", "json")
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    frame = paradeops.simulate(plan, runs=15, seed=5).to_frame(paradeops.schedule(plan))
    for unit in doc["units"]:
        for p in unit["passes"]:
            row = frame[(frame.unit_id == unit["id"]) & (frame.checkpoint == p["checkpoint"])]
            expected = pd.Timestamp(p["head"]["p50"])
            # The JSON keeps tenths of a second.
            assert abs(row["head_p50"].iloc[0] - expected) <= pd.Timedelta(milliseconds=50)
        held = frame[frame.unit_id == unit["id"]]["held_probability"].iloc[0]
        assert held == pytest.approx(unit["held_probability"])
