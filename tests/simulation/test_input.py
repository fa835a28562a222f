"""Bad input: impossible distributions, unknown units, --runs 0, a seed that is no integer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from paradeops.cli import app, load_commands
from paradeops.errors import UserError
from paradeops.io.planfile import parse_plan
from tests.conftest import plan_text

load_commands(["simulate"])

TANKS = "- {id: t90m, kind: vehicles, count: 3, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n"


def _with_sim(sim: str) -> str:
    return plan_text(TANKS) + "simulation:\n" + sim


@pytest.mark.parametrize(
    ("sim", "words"),
    [
        ("  step_off_delay_s: {dist: normal, mean: 3, sd: -1}\n", "sd must be 0 or more"),
        ("  step_off_delay_s: {dist: lognormal, median: 0, sigma: 1}\n", "median must be above 0"),
        ("  show_stop_overrun_s: {dist: uniform, low: 5, high: 1}\n", "must not exceed high"),
        ("  show_stop_overrun_s: {dist: triangular, low: 0, mode: 9, high: 5}\n", "low <= mode"),
        ("  speed_factor: {dist: fixed, value: 0}\n", "speed factor must be above 0"),
        ("  speed_factor: {dist: fixed}\n", "needs value"),
        ("  speed_factor: {dist: gamma, k: 2}\n", ""),
        ("  idm: {vehicles: {accel_ms2: -1}}\n", ""),
    ],
)
def test_impossible_distribution_names_file_line_and_field(sim: str, words: str) -> None:
    text = _with_sim(sim)
    with pytest.raises(UserError) as e:
        parse_plan(text, "p.yaml")
    problem = e.value.problems[0]
    assert problem.file == "p.yaml"
    assert problem.line == len(text.splitlines())  # the simulation line itself
    assert problem.field is not None and problem.field.startswith("simulation.")
    assert words in str(e.value)


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "plan.yaml"
    p.write_text(text)
    return p


def test_override_of_unknown_unit_exits_2(tmp_path: Path) -> None:
    p = _write(tmp_path, _with_sim("  units:\n    nope: {speed_factor: {dist: fixed, value: 0.9}}\n"))
    res = CliRunner().invoke(app, ["simulate", str(p), "--runs", "3"])
    assert isinstance(res.exception, UserError)
    assert "no unit 'nope'" in str(res.exception)
    assert res.exception.problems[0].file == str(p)


@pytest.mark.parametrize("args", [["--runs", "0"], ["--seed", "1.5"], ["--seed", "abc"]])
def test_bad_options_exit_2(tmp_path: Path, args: list[str]) -> None:
    p = _write(tmp_path, plan_text(TANKS))
    res = CliRunner().invoke(app, ["simulate", str(p), *args])
    assert res.exit_code == 2


def test_json_output(tmp_path: Path) -> None:
    p = _write(tmp_path, plan_text(TANKS))
    res = CliRunner().invoke(app, ["simulate", str(p), "--runs", "20", "--seed", "3",
                                   "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["runs"] == 20 and doc["seed"] == 3
    assert set(doc["window"]) >= {"probability_late", "last_tail_p5", "last_tail_p50",
                                  "last_tail_p95"}  # fmt: skip
    (unit,) = doc["units"]
    assert unit["id"] == "t90m" and 0 <= unit["held_probability"] <= 1
    head = unit["passes"][1]["head"]
    assert head["p5"] <= head["p50"] <= head["p95"]
    assert head["p50"].startswith("2025-05-09T10:00") and head["p50"].endswith("+03:00")
    again = CliRunner().invoke(app, ["simulate", str(p), "--runs", "20", "--seed", "3",
                                     "--format", "json"])  # fmt: skip
    assert again.stdout == res.stdout


def test_fan_chart(tmp_path: Path) -> None:
    p = _write(tmp_path, plan_text(TANKS))
    out = tmp_path / "fan.png"
    res = CliRunner().invoke(app, ["simulate", str(p), "--runs", "10", "--chart", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
