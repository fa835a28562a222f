"""Clock errors through the real CLI: exit 2, file:line, the field, both instants."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import Run
from tests.timing.test_clocks import AUTUMN, NEXT_DAY, SPRING


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_skipped_time_exits_2_with_its_place_and_both_instants(tmp_path: Path, cli: Run) -> None:
    path = write(tmp_path, SPRING.replace('step_off: "03:30:00"', 'step_off: "02:30:00"'))
    r = cli("validate", path)
    assert r.code == 2 and "Traceback" not in r.err
    assert f"{path}:11: units[2].step_off: 02:30:00 does not exist on 2025-03-30" in r.err
    assert "2025-03-30T03:30:00+02:00" in r.err and "2025-03-30T01:30:00+01:00" in r.err


def test_a_repeated_time_exits_2(tmp_path: Path, cli: Run) -> None:
    r = cli("schedule", write(tmp_path, AUTUMN.replace('"03:30:00"', '"02:30:00"')))
    assert r.code == 2 and "units[1].step_off: 02:30:00 happens twice" in r.err


def test_a_window_end_before_the_start_suggests_24(tmp_path: Path, cli: Run) -> None:
    r = cli("validate", write(tmp_path, NEXT_DAY.replace('"24:30:00"', '"00:30:00"')))
    assert r.code == 2
    assert "plan.yaml:2: parade.window_end: 00:30:00" in r.err and "24:30:00" in r.err


def test_across_midnight_the_json_carries_the_next_date(tmp_path: Path, cli: Run) -> None:
    r = cli("schedule", write(tmp_path, NEXT_DAY), "--format", "json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert doc["summary"]["window_end"] == "2025-07-15T00:30:00+02:00"
    assert doc["summary"]["errors"] == 0
