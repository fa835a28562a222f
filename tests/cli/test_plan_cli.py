"""``paradeops validate | schedule | graph | schema`` end to end."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from paradeops.cli.output import _umask
from paradeops.reports.schedule_json import schedule_json_schema
from tests.conftest import EXAMPLES, Run, plan_text

EXAMPLE_PLANS = sorted(EXAMPLES.glob("*/plan.yaml"))
VICTORY = EXAMPLES / "victory-day-2025" / "plan.yaml"


@pytest.mark.parametrize("plan", EXAMPLE_PLANS, ids=lambda p: p.parent.name)
def test_every_shipped_example_validates_and_schedules(cli: Run, plan: Path) -> None:
    r = cli("validate", plan)
    assert r.code == 0, r.err
    assert "OK" in r.out
    r = cli("schedule", plan, "--format", "json")
    assert r.code == 0, r.err  # no error findings in the shipped examples
    doc = json.loads(r.out)
    jsonschema.validate(doc, schedule_json_schema())
    assert len(doc["units"]) >= 20


def test_schedule_json_follows_the_contract(cli: Run) -> None:
    r = cli("schedule", VICTORY, "--format", "json")
    doc = json.loads(r.out)
    assert doc["parade"] == "Victory Day Parade 2025"
    first = doc["units"][0]
    assert {"id", "kind", "length_m", "speed_kmh", "step_off", "passes"} <= set(first)
    assert first["step_off"] == "2025-05-09T10:00:00+03:00"
    assert {"checkpoint", "head", "tail"} <= set(first["passes"][0])
    assert {"first_head", "last_tail", "duration_s"} <= set(doc["summary"])
    assert [p["checkpoint"] for p in first["passes"]] == [
        "start", "historical-museum", "tribune", "st-basils", "release"
    ]
    # The Red Square geometry puts the tribune ~632 m along the route.
    tribune = next(c for c in doc["checkpoints"] if c["id"] == "tribune")
    assert 550 < tribune["at_m"] < 700
    kinds = {f["kind"] for f in doc["findings"]}
    assert kinds <= {"catch_up", "gap", "window", "flypast"}


def test_schedule_table_csv_and_output_file(cli: Run, tmp_path: Path) -> None:
    r = cli("schedule", VICTORY)
    assert r.code == 0
    assert "t-90m" in r.out and "Summary" in r.out
    out = tmp_path / "table.csv"
    r = cli("schedule", VICTORY, "--format", "csv", "--output", out)
    assert r.code == 0 and f"wrote {out}" in r.err
    assert out.stat().st_mode & 0o777 == 0o666 & ~_umask()  # not private like a temp file
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 38 * 5 + 6  # ground units × checkpoints + aircraft over one point
    txt = tmp_path / "table.txt"
    assert cli("schedule", VICTORY, "-o", txt).code == 0
    assert "movement table" in txt.read_text()


def test_error_findings_give_exit_1(cli: Run, tmp_path: Path) -> None:
    plan = tmp_path / "late.yaml"
    plan.write_text(
        plan_text("- {id: t, kind: vehicles, count: 6, vehicle_length_m: 9.6, spacing_m: 25, speed_kmh: 20}\n")
        .replace('start: "10:00:00"}', 'start: "10:00:00", window_end: "10:01:00"}')
    )
    r = cli("schedule", plan, "--format", "json")
    assert r.code == 1
    assert json.loads(r.out)["findings"][0]["kind"] == "window"


@pytest.mark.parametrize("suffix", ["png", "svg"])
def test_graph(cli: Run, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"graph.{suffix}"
    r = cli("graph", VICTORY, "-o", out)
    assert r.code == 0, r.err
    data = out.read_bytes()
    if suffix == "png":
        assert data.startswith(b"\x89PNG")
    else:
        assert b"<svg" in data[:500] and b"Mausoleum" in data


def test_graph_refuses_unknown_format(cli: Run, tmp_path: Path) -> None:
    r = cli("graph", VICTORY, "-o", tmp_path / "graph.jpg")
    assert r.code == 2
    assert "--output" in r.err and ".png or .svg" in r.err
    assert not (tmp_path / "graph.jpg").exists()


def test_schema_is_json_schema_of_the_plan(cli: Run) -> None:
    r = cli("schema")
    doc = json.loads(r.out)
    assert doc["$schema"].endswith("2020-12/schema")
    jsonschema.Draft202012Validator.check_schema(doc)
    assert {"version", "parade", "route", "units"} <= set(doc["properties"])
    # Every shipped example is valid against it (geometry-placed checkpoints included).
    from ruamel.yaml import YAML

    for plan in EXAMPLE_PLANS:
        data = json.loads(json.dumps(YAML(typ="safe").load(plan.read_text()), default=str))
        jsonschema.validate(data, doc)


def test_installed_command_runs_as_a_process(tmp_path: Path) -> None:
    """The real entry point: exit codes and no traceback on bad input."""
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\nparade: [\n")
    p = subprocess.run(
        [sys.executable, "-m", "paradeops", "validate", str(bad)],
        capture_output=True, text=True, timeout=120,
    )
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    assert f"{bad}:3: not valid YAML" in p.stderr
    p = subprocess.run(
        [sys.executable, "-m", "paradeops", "validate", str(VICTORY)],
        capture_output=True, text=True, timeout=120,
    )
    assert p.returncode == 0, p.stderr


def test_help_lists_every_command(cli: Run) -> None:
    from paradeops.cli import COMMANDS

    r = cli("--help")
    assert r.code == 0
    for name in COMMANDS:
        assert name in r.out


def test_a_command_imports_only_what_it_needs() -> None:
    """``paradeops schedule`` must not pay for the service's or the solver's imports."""
    code = (
        "import sys; from paradeops.cli import load_commands; load_commands(['schedule']); "
        "print(sorted(m for m in ('sqlalchemy', 'fastapi', 'ortools') if m in sys.modules))"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert p.stdout.strip() == "[]", p.stderr


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["simulate", str(VICTORY), "--runs", "1", "--chart"], "--chart"),
        (["compose", str(VICTORY), "--chart"], "--chart"),
        (["seat", str(EXAMPLES / "victory-day-2025/guests.yaml"),
          str(EXAMPLES / "victory-day-2025/tribunes.yaml"), "--chart"], "--chart"),
    ],
    ids=["simulate", "compose", "seat"],
)
def test_every_chart_refuses_an_unknown_image_format(
    cli: Run, tmp_path: Path, args: list[str], field: str
) -> None:
    out = tmp_path / "chart.jpg"
    r = cli(*args, out)
    assert r.code == 2
    assert field in r.err and ".png or .svg" in r.err and "as .jpg" in r.err
    assert not out.exists()
