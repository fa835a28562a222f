"""A simulation that would run for ever is refused before it starts (exit 2).

The tester's findings: a step-off delay of 1e9 s (within the field's bounds)
or a show-stop overrun of 1e9 s hung ``simulate``; a lognormal delay with a
huge sigma overflowed to inf and ended in a traceback; a step of 1e-9 s hung
it. The runs' span (first step-off to last tail with the drawn delays) is
capped at 48 h and their steps at 3.5 million; the step is at least 1 ms.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Run

PLAN = EXAMPLES / "victory-day-2023" / "plan.yaml"


def _plan(tmp_path: Path, section: str) -> Path:
    """The example with a ``simulation:`` section, beside the files it names."""
    folder = tmp_path / "vd"
    folder.mkdir(exist_ok=True)
    shutil.copy(PLAN.parent / "route.geojson", folder)
    shutil.copy(EXAMPLES / "equipment.yaml", tmp_path)
    path = folder / "plan.yaml"
    path.write_text(PLAN.read_text() + "\nsimulation:\n" + section)
    return path


@pytest.mark.parametrize(
    ("section", "says"),
    [
        ("  step_off_delay_s: {dist: fixed, value: 1e9}\n", "more than 48 h"),
        ("  show_stop_overrun_s: {dist: fixed, value: 1e9}\n", "more than 48 h"),
        ("  step_off_delay_s: {dist: lognormal, median: 1e9, sigma: 1e9}\n", "an endless time"),
        ("  step_off_delay_s: {dist: normal, mean: -1e9, sd: 0}\n", "more than 48 h"),
    ],
    ids=["delay", "overrun", "lognormal-overflow", "early-by-years"],
)
def test_an_endless_day_is_refused_at_once(
    cli: Run, tmp_path: Path, section: str, says: str
) -> None:
    started = time.monotonic()
    r = cli("simulate", _plan(tmp_path, section), "--runs", "5", "--seed", "1")
    assert r.code == 2, r.err
    assert "simulation: the runs would have to cover" in r.err and says in r.err, r.err
    assert "step_off_delay_s" in r.err  # where to look
    assert "Traceback" not in r.err and "RuntimeWarning" not in r.err
    assert time.monotonic() - started < 60


def test_a_step_too_short_is_refused(cli: Run, tmp_path: Path) -> None:
    r = cli("simulate", _plan(tmp_path, "  step_s: 1e-9\n"), "--runs", "1")
    assert r.code == 2 and "simulation.step_s: must be 0.001 or more" in r.err, r.err
    # 1 ms is a step, but with 100 s of delay behind each of some forty units the
    # runs span well over 3,500 s: more than 3.5 million steps of 1 ms.
    section = "  step_s: 0.001\n  step_off_delay_s: {dist: fixed, value: 100}\n"
    r = cli("simulate", _plan(tmp_path, section), "--runs", "1", "--seed", "1")
    assert r.code == 2, r.err
    assert "simulation.step_s: the runs would take" in r.err and "more than 3,500,000" in r.err
