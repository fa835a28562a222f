"""One CLI grammar: -o is the main output in --format, --chart a picture;
tables whole when piped; times half up; names beside ids; (+1)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run, plan_text

VICTORY = EXAMPLES / "victory-day-2025" / "plan.yaml"
V2023 = EXAMPLES / "victory-day-2023" / "plan.yaml"


@pytest.mark.parametrize(
    ("args", "fmt", "check"),
    [
        (["schedule", VICTORY], "table", "movement table"),
        (["schedule", VICTORY], "csv", "unit_id,unit_name"),
        (["schedule", VICTORY], "json", '"parade": "Victory Day Parade 2025"'),
        (["simulate", VICTORY, "-n", "2", "--seed", "1"], "table", "2 simulated runs"),
        (["simulate", VICTORY, "-n", "2", "--seed", "1"], "json", '"runs": 2'),
        (["compose", VICTORY], "table", "Composition"),
        (["compose", VICTORY], "json", '"parades"'),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_output_is_the_main_output_in_its_format(
    cli: Run, tmp_path: Path, args: list[object], fmt: str, check: str
) -> None:
    out = tmp_path / f"out.{fmt}"
    r = cli(*args, "-f", fmt, "-o", out)
    assert r.code == 0, r.err
    assert r.out == ""  # all of it went to the file
    assert f"wrote {out}" in r.err
    text = out.read_text()
    assert check in text
    if fmt == "json":
        json.loads(text)


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_chart_is_always_a_picture(cli: Run, tmp_path: Path, suffix: str) -> None:
    fan, bars = tmp_path / f"fan.{suffix}", tmp_path / f"bars.{suffix}"
    sim = tmp_path / "sim.json"
    r = cli("simulate", VICTORY, "-n", "2", "--seed", "1", "-f", "json", "-o", sim, "--chart", fan)
    assert r.code == 0, r.err
    assert json.loads(sim.read_text())["runs"] == 2
    r = cli("compose", VICTORY, "--vs", V2023, "--chart", bars)
    assert r.code == 0, r.err
    for picture in (fan, bars):
        head = picture.read_bytes()[:300]
        assert head.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in head


def test_piped_tables_are_not_cut(cli: Run) -> None:
    # stdout is captured here, as in a pipe; COLUMNS says 200.
    r = cli("schedule", VICTORY)
    widest = max(len(line) for line in r.out.splitlines())
    assert widest > 200
    assert "Peter the Great Military Academy of the Strategic Missile Forces" in r.out
    r = cli("simulate", VICTORY, "-n", "2", "--seed", "1")
    assert "Peter the Great Military Academy of the Strategic Missile Forces" in r.out
    assert "…" not in r.out


def test_width_sets_the_columns(cli: Run) -> None:
    r = cli("schedule", VICTORY, "--width", "120")
    assert r.code == 0, r.err
    assert max(len(line) for line in r.out.splitlines()) <= 120


def test_names_beside_ids(cli: Run) -> None:
    r = cli("schedule", VICTORY)
    line = next(x for x in r.out.splitlines() if " colour-guard " in x)
    assert "Colour guard with the State Flag and the Banner of Victory" in line


def test_a_time_on_the_next_day_carries_plus_one(cli: Run, tmp_path: Path) -> None:
    plan = tmp_path / "night.yaml"
    # Foot at 3.6 km/h (1 m/s) from 23:59:00: the head passes the tribune
    # (180 m) at 00:02:00 the next day.
    plan.write_text(
        plan_text("- {id: guard, name: Night guard, kind: foot, ranks: 2, files: 4, "
                  "rank_spacing_m: 1.0, speed_kmh: 3.6}\n")
        .replace('start: "10:00:00"', 'start: "23:59:00"')
    )  # fmt: skip
    r = cli("schedule", plan)
    assert r.code == 0, r.err
    assert "23:59:00–" in r.out
    assert "00:02:00 (+1)–" in r.out
