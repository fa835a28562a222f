"""Rehearsal times that run backwards are refused at their row; a plan that would not
validate is never written (found by the outside tester: a negative fitted speed)."""

from __future__ import annotations

from pathlib import Path

from paradeops.calibration import Measured, Run
from paradeops.calibration.order import backwards
from tests.conftest import Run as Cli
from tests.conftest import plan_text

# start 0 m, tribune 180 m, release 450 m (tests.conftest.plan_text).
CHECKPOINTS = ["start", "tribune", "release"]
BOX = "- {id: box, kind: foot, ranks: 2, files: 4, rank_spacing_m: 1.4, speed_kmh: 5.4}\n"


def _run(*rows: tuple[str, float | None, float | None, int]) -> Run:
    return Run("r", tuple(Measured("box", cp, h, t, row) for cp, h, t, row in rows))


def test_times_in_order_are_not_backwards() -> None:
    run = _run(("start", 0.0, 2.0, 2), ("tribune", 120.0, 122.0, 3), ("release", 300.0, 302.0, 4))
    assert backwards(run, CHECKPOINTS) == []


def test_a_head_earlier_than_at_the_checkpoint_before_is_named_at_its_row() -> None:
    # Rows in the file need not follow the route: the order is the route's.
    run = _run(("release", 100.0, 102.0, 2), ("start", 0.0, 2.0, 3), ("tribune", 120.0, 122.0, 4))
    found = backwards(run, CHECKPOINTS)
    assert [(b.row, b.message) for b in found] == [
        (2, "box's head passes release 20 s before it passes tribune, "
            "the checkpoint before it on the route"),
        (2, "box's tail passes release 20 s before it passes tribune, "
            "the checkpoint before it on the route"),
    ]  # fmt: skip


def test_the_same_time_at_two_checkpoints_is_refused_too() -> None:
    run = _run(("start", 0.0, None, 2), ("tribune", 0.0, None, 3))
    assert [b.message for b in backwards(run, CHECKPOINTS)] == [
        "box's head passes tribune at the same time as it passes start, "
        "the checkpoint before it on the route"
    ]


def test_a_tail_before_its_head() -> None:
    run = _run(("start", 10.0, 4.5, 7))
    [b] = backwards(run, CHECKPOINTS)
    assert (b.row, b.message) == (7, "box's tail passes start 5.5 s before its head")


def test_a_missing_time_is_skipped_not_compared() -> None:
    run = _run(("start", 0.0, 2.0, 2), ("tribune", None, 122.0, 3), ("release", 300.0, None, 4))
    assert backwards(run, CHECKPOINTS) == []


def _files(tmp_path: Path, csv_text: str) -> tuple[Path, Path]:
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text(BOX))
    measured = tmp_path / "measured.csv"
    measured.write_text(csv_text)
    return plan, measured


def test_calibrate_refuses_times_running_backwards(cli: Cli, tmp_path: Path) -> None:
    plan, measured = _files(
        tmp_path,
        "unit,checkpoint,head,tail\n"
        "box,start,10:05:00,10:05:02\n"
        "box,tribune,10:03:00,10:03:02\n"
        "box,release,10:00:00,10:00:02\n",
    )
    written = tmp_path / "calibrated.yaml"
    table = tmp_path / "table.txt"
    r = cli("calibrate", plan, measured, "--write-plan", written, "-o", table)
    assert r.code == 2, (r.out, r.err)
    assert r.err.startswith(f"error: {measured}:3: box's head passes tribune 120 s before")
    assert f"{measured}:4: box's head passes release 180 s before" in r.err
    assert "Traceback" not in r.err
    assert not written.exists() and not table.exists()


def test_a_calibrated_plan_that_would_not_validate_is_not_written(cli: Cli, tmp_path: Path) -> None:
    # 450 m in 9 s is 180 km/h, over the 150 km/h a ground unit may have: the
    # times run forwards, but the fitted speed is not one a plan accepts.
    plan, measured = _files(
        tmp_path,
        "unit,checkpoint,head,tail\n"
        "box,start,10:00:00,10:00:01\n"
        "box,tribune,10:00:03.6,10:00:04.6\n"
        "box,release,10:00:09,10:00:10\n",
    )
    written = tmp_path / "calibrated.yaml"
    sim = tmp_path / "simulation.yaml"
    r = cli("calibrate", plan, measured, "--write-plan", written, "--distributions", sim)
    assert r.code == 2, (r.out, r.err)
    assert r.err.startswith("error: --write-plan: the calibrated plan would not validate")
    assert f"{written}:" in r.err and "units[0].speed_kmh: must be at most 150, got 180" in r.err
    assert not written.exists() and not sim.exists()
