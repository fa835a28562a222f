"""Names are shown beside ids: in the findings of ``schedule``, the gap lines of
``simulate`` and the findings of ``music``."""

from __future__ import annotations

from pathlib import Path

from tests.composition.conftest import BASE
from tests.conftest import EXAMPLES, Run

V25 = EXAMPLES / "victory-day-2025" / "plan.yaml"
# From the plan file: the T-34-85 tanks follow the massed band, with a gap the
# plan's max_gap_m (150 m) does not allow at the tribune.
TANKS = "T-34-85 tanks of the Great Patriotic War"
BAND = "Massed military band of the Moscow Garrison"


def test_schedule_findings_name_the_unit(cli: Run) -> None:
    r = cli("schedule", V25)
    lines = r.out.splitlines()
    start = next(i for i, x in enumerate(lines) if x.strip() == "Findings")
    (row,) = [x for x in lines[start:] if " gap " in x]
    assert row.split()[:3] == ["warning", "gap", "t-34-85"]
    assert f"t-34-85   {TANKS}   tribune" in row


def test_simulate_gap_lines_name_both_units(cli: Run) -> None:
    r = cli("simulate", V25, "-n", "20", "--seed", "1")
    assert r.code == 0, r.err
    assert (f"gap before t-34-85 ({TANKS}), behind massed-band ({BAND}), above max_gap_m: "
            in r.out)  # fmt: skip


def _music_plan(tmp_path: Path, b_name: str | None) -> Path:
    plan = tmp_path / "plan.yaml"
    named = f"{{id: b, name: {b_name}, " if b_name else "{id: b, "
    plan.write_text(
        BASE.replace("CADENCE_B", "120").replace("{id: b, ", named)
        + "music:\n  hearing_distance_m: 10\n  bands:\n    - id: band1\n      accompanies: [a]\n"
        "      pieces:\n        - {title: A, duration_s: 20, tempo_bpm: 120}\n"
    )  # fmt: skip
    return plan


# tests/composition/conftest.py: b passes the stand (50 m) 70-80 s after
# 10:00:00. The band hears 40-60 m and plays only for a, whose tail leaves
# 60 m at 70 s: b passes in silence from 10:01:10 to 10:01:20.
SILENCE = "error: b passes the reviewing stand with no music for 10 s (first from 10:01:10 to 10:01:20)"


def test_music_findings_name_the_unit(cli: Run, tmp_path: Path) -> None:
    r = cli("music", _music_plan(tmp_path, "Second company"))
    assert r.code == 1
    assert f"{SILENCE} [b (Second company)]" in " ".join(r.out.split())


def test_a_unit_without_a_name_is_not_named_twice(cli: Run, tmp_path: Path) -> None:
    r = cli("music", _music_plan(tmp_path, None))
    assert r.code == 1
    words = " ".join(r.out.split())
    assert SILENCE in words
    assert f"{SILENCE} [" not in words
