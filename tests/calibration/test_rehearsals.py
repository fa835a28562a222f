from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from paradeops.calibration import calibrate, compare
from paradeops.errors import UserError
from paradeops.io.planfile import load_plan, parse_plan
from paradeops.io.rehearsal_csv import parse_run
from paradeops.synthetic import calibration_plan_text, rehearsal_runs
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
    text = "unit,checkpoint,event,time\na,start,head,23:59:50\na,stand,head,24:00:45\n"
    run = parse_run(text, "r.csv", plan)
    heads = {m.checkpoint: m.head for m in run.rows}
    assert heads == {"start": 0.0, "stand": 55.0}
    # 00:00:45 is on the rehearsal's date, 23 h 59 min 5 s before the reference.
    with pytest.raises(UserError) as e:
        parse_run(text.replace("24:00:45", "00:00:45"), "r.csv", plan)
    assert str(e.value) == (
        "r.csv:3: time: 00:00:45 (2025-05-09T00:00:45+03:00) is more than 12 h from the "
        "rehearsal's reference 23:59:50 (2025-05-09T23:59:50+03:00)\n"
        "  → a time after midnight is written 24:00:45"
    )


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


def test_example_csvs_are_reproducible() -> None:
    texts, _ = rehearsal_runs(load_plan(EX25))
    for rid, text in texts.items():
        assert (EXDIR / f"rehearsal-{rid}.csv").read_text() == text


def test_example_calibration_recovers_the_perturbation() -> None:
    plan = load_plan(EX25)
    texts, truths = rehearsal_runs(plan)
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
    # Units held by the one ahead somewhere have no free speed in that run.
    free_runs = sum(u["runs"] for u in doc["units"])
    assert f"# speed_factor: from {free_runs} unit-run(s)" in dist.read_text()
    assert doc["distributions"]["n"]["speed_factor"] == free_runs
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


def test_calibration_of_the_benchmark_plan_recovers_every_unit() -> None:
    """The benchmark's work, checked for what it finds (its time is the benchmark's job)."""
    plan = parse_plan(calibration_plan_text(), "bench.yaml")
    texts, _ = rehearsal_runs(plan, runs=tuple(f"r{r}" for r in range(5)), seed=1)
    runs = [parse_run(t, f"{rid}.csv", plan, name=rid) for rid, t in texts.items()]
    cal = calibrate(plan, schedule(plan), runs)
    assert len(runs) == 5
    assert {u.unit for u in cal.units} == {u.id for u in plan.units}


# Europe/Paris: on 2025-03-30 at 01:00 UTC 02:00 (+01:00) becomes 03:00 (+02:00);
# on 2025-10-26 at 01:00 UTC 03:00 (+02:00) becomes 02:00 (+01:00).
def _paris(base_plan, rehearsals: str) -> str:
    return base_plan("rehearsals:\n" + rehearsals).replace("Europe/Moscow", "Europe/Paris")


AUTUMN_NIGHT = "  - {id: r1, date: 2025-10-25, start: '23:30:00', end: 'END', place: Field}\n"


def test_a_rehearsal_across_midnight_on_the_autumn_night(cli, write, base_plan) -> None:
    # 23:30+02:00 on the 25th is 21:30 UTC; 27:30:00 is 03:30 on the 26th, after
    # the change, +01:00 = 02:30 UTC: five hours, though the clocks show four.
    path = write(_paris(base_plan, AUTUMN_NIGHT.replace("END", "27:30:00")))
    got = cli("rehearsals", path, "-f", "json")
    assert got.code == 0, got.err
    (r,) = json.loads(got.out)["rehearsals"]
    assert (r["start"], r["end"]) == ("2025-10-25T23:30:00+02:00", "2025-10-26T03:30:00+01:00")
    table = cli("rehearsals", path).out
    assert "Europe/Paris" in table
    row = next(line for line in table.splitlines() if " r1 " in line)
    cells = [c.strip() for c in row.split("│")[1:-1]]
    assert cells == ["r1", "2025-10-25", "23:30", "03:30+01:00 (+1)", "+02:00", "Field", "all"]
    ics = write("", "r.ics")
    assert cli("rehearsals", path, "--ics", ics).code == 0
    text = ics.read_text()
    assert "DTSTART;TZID=Europe/Paris:20251025T233000" in text
    assert "DTEND;TZID=Europe/Paris:20251026T033000" in text


def test_a_rehearsal_end_before_its_start_is_an_error_suggesting_24(cli, write, base_plan) -> None:
    got = cli("rehearsals", write(_paris(base_plan, AUTUMN_NIGHT.replace("END", "01:00:00"))))
    assert got.code == 2
    # Line 13 of the plan; 25:00:00 = 01:00 on the 26th, still +02:00 (23:00 UTC).
    assert (
        "plan.yaml:13: rehearsals[0].end: 01:00:00 (2025-10-25T01:00:00+02:00) is not after "
        "the rehearsal's start 23:30:00 (2025-10-25T23:30:00+02:00)"
    ) in got.err
    assert "a time after midnight is written 25:00:00 (or 2025-10-26T01:00:00+02:00)" in got.err


def test_rehearsal_times_the_clocks_skip_or_repeat_are_located(cli, write, base_plan) -> None:
    twice = cli("rehearsals", write(_paris(base_plan, AUTUMN_NIGHT.replace("END", "26:30:00"))))
    assert twice.code == 2
    assert "plan.yaml:13: rehearsals[0].end: 26:30:00 happens twice on 2025-10-26" in twice.err
    spring = "  - {id: r1, date: 2025-03-29, start: '23:00:00', end: '26:30:00', place: Field}\n"
    skipped = cli("rehearsals", write(_paris(base_plan, spring)))
    assert skipped.code == 2
    assert "plan.yaml:13: rehearsals[0].end: 26:30:00 does not exist on 2025-03-30" in skipped.err
    # The same rehearsal written with offsets is two real instants.
    iso = spring.replace("'26:30:00'", "'2025-03-30T03:30:00+02:00'")
    got = cli("rehearsals", write(_paris(base_plan, iso)), "-f", "json")
    assert got.code == 0, got.err
    assert json.loads(got.out)["rehearsals"][0]["end"] == "2025-03-30T03:30:00+02:00"


# a's head at the start at 01:59:50+01:00 (00:59:50 UTC) on the spring night and at
# the stand at 03:00:45+02:00 (01:00:45 UTC): 55 s, not 3,655 s.
SPRING_RUN = "unit,checkpoint,event,time\na,start,head,25:59:50\na,stand,head,27:00:45\n"
SPRING_NIGHT = "  - {id: r1, date: 2025-03-29, start: '25:59:50', end: '28:00:00', place: F}\n"


def test_csv_clock_times_are_on_the_rehearsals_date_across_a_change(write, base_plan) -> None:
    plan = load_plan(write(_paris(base_plan, SPRING_NIGHT)))
    run = parse_run(SPRING_RUN, "r1.csv", plan, name="r1")
    assert {m.checkpoint: m.head for m in run.rows} == {"start": 0.0, "stand": 55.0}
    with pytest.raises(UserError) as e:
        parse_run(SPRING_RUN.replace("25:59:50", "26:10:00"), "r1.csv", plan, name="r1")
    assert "r1.csv:2: time: 26:10:00 does not exist on 2025-03-30 in Europe/Paris" in str(e.value)


def test_calibrate_start_takes_the_24_form(cli, write, base_plan) -> None:
    plan = write(_paris(base_plan, SPRING_NIGHT))
    csv = write(SPRING_RUN.replace("a,start,head,25:59:50\n", ""), "rehearsal-r1.csv")
    got = cli("calibrate", plan, csv, "--start", "25:59:50", "-f", "json")
    assert got.code == 0, got.err
    (a,) = [c for c in json.loads(got.out)["comparison"] if c["unit"] == "a"]
    assert a["passes"] == [{"checkpoint": "stand", "delay_s": 5.0, "pass_error_s": None}]
    bad = cli("calibrate", plan, csv, "--start", "26:30:00")
    assert bad.code == 2 and "--start: 26:30:00 does not exist on 2025-03-30" in bad.err
