"""``paradeops staging`` end to end: formats, chart, exit codes, bad input located."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.conftest import Run
from tests.staging.support import three_floats


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_table_names_every_unit_its_times_and_the_peak(cli: Run, tmp_path: Path) -> None:
    r = cli("staging", write(tmp_path, three_floats()))
    assert r.code == 0, r.err
    for row in ("09:50:00   09:55:00   10:00:00", "09:55:00   10:00:00   10:05:00"):
        assert row in r.out
    assert "80.0 m" in r.out and "Depot yard" in r.out
    assert "a, b, c" in r.out  # the yard feeds the start point with a, b, c


def test_over_capacity_exits_1_and_says_when(cli: Run, tmp_path: Path) -> None:
    r = cli("staging", write(tmp_path, three_floats(capacity="capacity_m: 70")))
    assert r.code == 1
    assert "over_capacity" in r.out and "09:55:00 to 09:55:50" in r.out


def test_json_has_offsets_and_csv_a_row_per_unit(cli: Run, tmp_path: Path) -> None:
    plan = write(tmp_path, three_floats(capacity="capacity_m: 70"))
    r = cli("staging", plan, "--format", "json")
    doc = json.loads(r.out)
    a = doc["units"][0]
    assert (a["call"], a["leave"], a["step_off"]) == (
        "2025-06-01T09:50:00+02:00", "2025-06-01T09:55:00+02:00", "2025-06-01T10:00:00+02:00"
    )  # fmt: skip
    assert a["clear"] == "2025-06-01T09:55:50+02:00"
    (area,) = doc["areas"]
    assert (area["peak"], area["peak_at"]) == (80.0, "2025-06-01T09:55:00+02:00")
    assert area["occupancy"][1] == {"from": "2025-06-01T09:55:00+02:00", "used": 80.0}
    (f,) = doc["findings"]
    assert (f["kind"], f["amount"], f["until"]) == (
        "over_capacity", 10.0, "2025-06-01T09:55:50+02:00"
    )  # fmt: skip
    assert doc["feed"] == [{"area": "yard", "units": ["a", "b", "c"],
                            "first_step_off": "2025-06-01T10:00:00+02:00",
                            "last_step_off": "2025-06-01T10:10:00+02:00"}]  # fmt: skip
    out = tmp_path / "calls.csv"
    r = cli("staging", plan, "--format", "csv", "-o", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [row["unit"] for row in rows] == ["a", "b", "c"]
    assert rows[2]["call"] == "2025-06-01T10:00:00+02:00" and rows[2]["space"] == "20.0"


def test_dst_offsets_in_json_and_table(cli: Run, tmp_path: Path) -> None:
    text = three_floats(date="2025-03-30", zone="Europe/London", start="03:00:00",
                        b="04:00:00", c="05:00:00", to_start=1800, form_up=3600)  # fmt: skip
    plan = write(tmp_path, text)
    doc = json.loads(cli("staging", plan, "-f", "json").out)
    assert doc["units"][0]["call"] == "2025-03-30T00:30:00+00:00"
    assert doc["units"][0]["leave"] == "2025-03-30T02:30:00+01:00"
    assert "00:30:00+00:00" in cli("staging", plan).out


def test_chart_is_written(cli: Run, tmp_path: Path, artefacts: Path) -> None:
    pytest.importorskip("matplotlib")
    chart = artefacts / "staging.png"
    r = cli("staging", write(tmp_path, three_floats(capacity="capacity_m: 70")), "--chart", chart)
    assert r.code == 1  # the finding, not the chart
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"wrote {chart}" in r.err


# --- bad input: located, exit 2, nothing written ------------------------------

BAD = """\
  areas:
    - {id: yard, capacity_m: 90, to_start_s: 300}
    - {id: yard, capacity_m: 40, to_start_s: 300}
    - {id: park, capacity_m: 90, capacity_m2: 900, to_start_s: 60}
  assign: {a: yard, ghost: yard, b: nowhere}
"""


def lines_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bad_assembly_is_located_exit_2_and_nothing_written(cli: Run, tmp_path: Path) -> None:
    text = three_floats(assembly=BAD)
    plan = write(tmp_path, text)
    out, chart = tmp_path / "out.json", tmp_path / "chart.png"
    # Both capacities: the model's own check, at the area's line.
    r = cli("staging", plan, "-f", "json", "-o", out, "--chart", chart)
    assert r.code == 2
    assert f"plan.yaml:{lines_of(text, 'id: park')}" in r.err and "capacity_m2" in r.err
    assert not out.exists() and not chart.exists()
    # The same section with one capacity: every cross-reference at once.
    text = text.replace("capacity_m: 90, capacity_m2: 900", "capacity_m2: 900")
    plan = write(tmp_path, text)
    r = cli("staging", plan, "-f", "json", "-o", out, "--chart", chart)
    assert r.code == 2
    dup = lines_of(text, "id: yard, capacity_m: 40")
    assign = lines_of(text, "assign:")
    assert f"plan.yaml:{dup}: assembly.areas[1].id: area id 'yard' is already used" in r.err
    assert f"plan.yaml:{assign}: assembly.assign.ghost: unknown unit 'ghost'" in r.err
    assert f"plan.yaml:{assign}: assembly.assign.b: unknown area 'nowhere'" in r.err
    assert "known areas: yard, park" in r.err
    assert "Traceback" not in r.err
    assert not out.exists() and not chart.exists()


def test_an_area_too_small_for_a_unit_is_bad_input(cli: Run, tmp_path: Path) -> None:
    # Float A alone is 50 m; a 40 m area cannot hold it whatever the times.
    text = three_floats(capacity="capacity_m: 40")
    r = cli("staging", write(tmp_path, text))
    assert r.code == 2
    line = lines_of(text, "id: yard")
    assert f"plan.yaml:{line}: assembly.areas[0]: area 'yard' (40 m) is too small" in r.err
    assert "Float A (a), which alone takes 50 m" in r.err
    assert "Float B" not in r.err  # 30 m fits
    section = """\
  areas:
    - {id: yard, capacity_m2: 150, to_start_s: 300}
  assign: {a: yard, b: yard}
"""
    text = three_floats(assembly=section)
    r = cli("staging", write(tmp_path, text))
    assert r.code == 2
    # 50 m × 3.5 m = 175 m² > 150; B's 105 m² fits; C (unassigned) goes to the only area: 70 m².
    assert "assembly.assign.a: area 'yard' (150 m²) is too small" in r.err
    assert "175 m²" in r.err and "assign.b" not in r.err


def test_unknown_default_aircraft_and_skipped_opening(cli: Run, tmp_path: Path) -> None:
    text = three_floats(
        date="2025-03-30",
        zone="Europe/London",
        start="03:00:00",
        b="04:00:00",
        c="05:00:00",
        opens="01:30:00",
    ).replace("units:\n", 'units:\n  - {id: jets, kind: aircraft, over: stand, at: "03:30:00"}\n')
    text += "  default: nowhere\n  assign: {jets: yard}\n"
    r = cli("staging", write(tmp_path, text))
    assert r.code == 2, r.out
    assert "assembly.areas[0].opens: 01:30:00 does not exist on 2025-03-30" in r.err
    assert "assembly.default: unknown area 'nowhere'" in r.err
    assert "assembly.assign.jets: unit 'jets' is aircraft" in r.err


def test_a_plan_without_assembly_is_bad_input(cli: Run, examples: Path) -> None:
    r = cli("staging", examples / "victory-day-2025" / "plan.yaml")
    assert r.code == 2
    assert "no assembly: section" in r.err and "docs/staging.md" in r.err


def test_validate_reports_what_staging_would_refuse(cli: Run, tmp_path: Path) -> None:
    """``validate`` checks the assembly section's cross-references and sizes too."""
    text = three_floats(assembly=BAD).replace(
        "capacity_m: 90, capacity_m2: 900", "capacity_m2: 900"
    )
    r = cli("validate", write(tmp_path, text))
    assert r.code == 2, r.out
    assert "assembly.assign.ghost: unknown unit 'ghost'" in r.err
    assert "assembly.assign.b: unknown area 'nowhere'" in r.err
    assert "area id 'yard' is already used" in r.err
    r = cli("validate", write(tmp_path, three_floats(capacity="capacity_m: 40")))
    assert r.code == 2 and "area 'yard' (40 m) is too small" in r.err, r.err
    r = cli("validate", write(tmp_path, three_floats()))
    assert r.code == 0 and "OK" in r.out, r.err
