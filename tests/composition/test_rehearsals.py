from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np

from paradeops.composition.rehearsals import calibrate, compare
from paradeops.io.planfile import load_plan
from paradeops.io.rehearsal_csv import parse_run
from paradeops.timing.engine import schedule

EXDIR = Path(__file__).resolve().parents[2] / "examples" / "victory-day-2025"
EX25 = EXDIR / "plan.yaml"

# Planned (conftest): a head/tail at start 0/10, stand 50/60, end 100/110;
# b head at start 20, stand 70/80.
CSV = """\
unit,checkpoint,head,tail
a,start,10:00:00,10:00:10
a,stand,10:00:52,10:01:03
b,stand,10:01:15,10:01:25.5
"""


def test_comparison_by_hand(write, base_plan) -> None:
    plan = load_plan(write(base_plan()))
    run = parse_run(CSV, "r.csv", plan)
    by_unit = {u.unit: u for u in compare(schedule(plan), run)}
    stand = by_unit["a"].passes[1]
    assert (stand.delay_s, stand.pass_error_s) == (2.0, 1.0)  # 52 vs 50; 11 s vs 10 s
    assert by_unit["b"].mean_delay_s == 5.0 and by_unit["b"].mean_pass_error_s == 0.5


def test_long_format_and_midnight(write, base_plan) -> None:
    plan = load_plan(write(base_plan()))
    text = "unit,checkpoint,event,time\na,start,head,23:59:50\na,stand,head,00:00:45\n"
    run = parse_run(text, "r.csv", plan)
    heads = {m.checkpoint: m.head for m in run.rows}
    assert heads == {"start": 0.0, "stand": 55.0}


def test_bad_rows_are_named(cli, write, base_plan) -> None:
    plan = write(base_plan())
    bad = write(CSV + "zz,stand,10:00:00,10:00:01\nb,end,ten past,\n", "r.csv")
    got = cli("calibrate", plan, bad)
    assert got.code == 2
    assert f"{bad}:5: unit: unknown unit 'zz'" in got.err
    assert f"{bad}:6: head: cannot read time 'ten past'" in got.err


def test_no_reference_needs_start(cli, write, base_plan) -> None:
    plan = write(base_plan())
    csv = write("unit,checkpoint,head,tail\nb,stand,10:01:15,10:01:25\n", "r.csv")
    assert "--start" in cli("calibrate", plan, csv).err
    assert cli("calibrate", plan, csv, "--start", "10:00:00").code == 0


def _generator():
    spec = importlib.util.spec_from_file_location("make_rehearsals", EXDIR / "make_rehearsals.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_example_csvs_are_reproducible() -> None:
    texts, _ = _generator().generate(load_plan(EX25))
    for rid, text in texts.items():
        assert (EXDIR / f"rehearsal-{rid}.csv").read_text() == text


def test_example_calibration_recovers_the_perturbation() -> None:
    plan = load_plan(EX25)
    texts, truths = _generator().generate(plan)
    runs = [parse_run(t, rid, plan, name=rid) for rid, t in texts.items()]
    cal = calibrate(plan, schedule(plan), runs)
    ids = [f.unit for f in cal.units]
    # Units held behind a slower one (or behind a held one) march at its pace.
    clean = [
        f
        for i, f in enumerate(cal.units)
        if not any(truths[r][u]["held"] for r in truths for u in ids[max(i - 1, 0) : i + 1])
    ]
    assert len(clean) >= 20
    for f in clean:
        true_delay = np.mean([truths[r][f.unit]["step_off_delay_s"] for r in truths])
        true_speed = np.mean([truths[r][f.unit]["speed_factor"] for r in truths])
        assert abs(f.step_off_delay_s - true_delay) < 1.0, f.unit
        assert abs(f.speed_factor - true_speed) < 0.01, f.unit
    assert 2.0 < cal.step_off_delay_s.mean < 4.5  # generated as |N(3, 2)|


def test_calibrate_cli_end_to_end(cli, tmp_path) -> None:
    csvs = sorted(EXDIR.glob("rehearsal-*.csv"))
    out_plan, dist = tmp_path / "calibrated.yaml", tmp_path / "dist.json"
    got = cli(
        "calibrate", EX25, *csvs, "-f", "json", "--write-plan", out_plan, "--distributions", dist
    )
    assert got.code == 0, got.err
    doc = json.loads(got.out)
    assert len(doc["runs"]) == 3 and len(doc["units"]) == 38
    assert json.loads(dist.read_text())["speed_factor"]["n"] == 3 * 38
    calibrated = out_plan.read_text()
    assert "# Victory Day Parade" in calibrated  # comments kept
    (out_plan.parent / "route.geojson").write_text((EXDIR / "route.geojson").read_text())
    (tmp_path.parent / "equipment.yaml").write_text((EXDIR.parent / "equipment.yaml").read_text())
    assert load_plan(out_plan).units[1].gap_m is not None


def test_rehearsals_ics(cli, tmp_path) -> None:
    ics = tmp_path / "r.ics"
    assert cli("rehearsals", EX25, "--ics", ics).code == 0
    text = ics.read_text()
    assert text.count("BEGIN:VEVENT") == 5
    assert "DTSTART;TZID=Europe/Moscow:20250429T220000" in text
    assert "DTEND;TZID=Europe/Moscow:20250430T003000" in text  # after midnight


def test_rehearsal_unknown_unit(cli, write, base_plan) -> None:
    extra = "rehearsals:\n  - {id: r1, date: 2025-05-01, start: '10:00', place: X, units: [a, q]}\n"
    got = cli("rehearsals", write(base_plan(extra)))
    assert got.code == 2 and "unknown unit 'q'" in got.err and ":13:" in got.err


def test_calibration_of_100_units_from_5_rehearsals_is_fast(capsys) -> None:
    bench = EXDIR.parents[1] / "benchmarks" / "bench_calibrate.py"
    spec = importlib.util.spec_from_file_location("bench_calibrate", bench)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.main()  # exits 1 over 2 s
    assert "OK" in capsys.readouterr().out
