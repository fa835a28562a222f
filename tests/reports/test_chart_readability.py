"""Every chart on every shipped example and on a CJK/Arabic plan: readable.

No two texts overlap (rendered extents, slanted labels as rotated
rectangles), none smaller than 7 pt at the saved size, none off the page,
width bounded (a long parade is split into time panels), and no warning on
stderr from the commands that draw.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from paradeops.cli.plan_commands import load_and_schedule
from paradeops.composition.compose import compare
from paradeops.io.planfile import load_plan
from paradeops.reports.composition_chart import composition_figure
from paradeops.reports.fonts import use_chart_fonts
from paradeops.reports.movement_graph import FanLine, _band, movement_graph_figure
from paradeops.timing.schedule import Schedule
from tests.conftest import EXAMPLES
from tests.reports.chart_checks import readability_problems, visible_texts

MULTILINGUAL = Path(__file__).parent / "data" / "multilingual-plan.yaml"
PLANS = [*sorted(EXAMPLES.glob("*/plan.yaml")), MULTILINGUAL]
IDS = [p.parent.name if p != MULTILINGUAL else "multilingual" for p in PLANS]


def _fan(s: Schedule, runs: int = 20) -> list[FanLine]:
    """Runs scattered around each ground unit's planned head curve."""
    rng = np.random.default_rng(3)
    top = s.checkpoints[-1].at_m
    positions = np.linspace(0.0, top, 25)
    fan: list[FanLine] = []
    for u in s.units:
        if u.trajectory is not None:
            base = u.trajectory.arrive(positions)
            fan.append((u.id, base + np.cumsum(rng.normal(0, 3, (runs, 25)), axis=1), positions))
    return fan


@pytest.mark.parametrize("plan", PLANS, ids=IDS)
def test_movement_graph_is_readable(plan: Path) -> None:
    _, s = load_and_schedule(plan)
    assert readability_problems(movement_graph_figure(s)) == []


@pytest.mark.parametrize("plan", PLANS, ids=IDS)
def test_fan_chart_is_readable_titled_and_has_a_legend_for_the_runs(plan: Path) -> None:
    _, s = load_and_schedule(plan)
    fig = movement_graph_figure(s, fan=_fan(s), runs=20)
    assert readability_problems(fig) == []
    texts = [t.get_text() for t in visible_texts(fig)]
    assert f"{s.parade} — fan chart: 20 simulated runs over the plan" in texts
    assert "simulated run (×20)" in texts
    assert not any(t.endswith("movement graph") for t in texts)


@pytest.mark.parametrize("plan", PLANS, ids=IDS)
def test_composition_chart_is_readable(plan: Path) -> None:
    other = EXAMPLES / "victory-day-2023" / "plan.yaml"
    fig = composition_figure(compare([load_plan(plan), load_plan(other)]))
    assert readability_problems(fig) == []


def test_the_checks_can_fail() -> None:
    use_chart_fonts()
    fig = Figure(figsize=(20, 3))
    FigureCanvasAgg(fig)
    fig.text(0.1, 0.5, "colour-guard", fontsize=8)
    fig.text(0.12, 0.5, "overlapping", fontsize=8)
    fig.text(0.5, 0.5, "tiny", fontsize=6)
    fig.text(0.99, 0.5, "off the page", fontsize=8)
    # Two parallel slanted labels 0.3 in apart do not touch, though their extents overlap.
    fig.text(0.7, 0.5, "slanted-one", rotation=60, fontsize=8)
    fig.text(0.715, 0.5, "slanted-two", rotation=60, fontsize=8)
    problems = readability_problems(fig)
    assert "'colour-guard' overlaps 'overlapping'" in problems
    assert "'tiny' is 6.0 pt" in problems
    assert "'off the page' runs off the page" in problems
    assert "figure is 20.0 in wide" in problems
    assert not any("slanted" in p for p in problems)


def test_a_long_parade_is_split_into_time_panels() -> None:
    # The carnival: two hours from first head to last tail.
    _, s = load_and_schedule(EXAMPLES / "city-parade" / "plan.yaml")
    assert s.summary.last_tail - s.summary.first_head > 7000
    fig = movement_graph_figure(s)
    assert fig.get_figwidth() * 150 <= 2475  # A3 width at 150 dpi, not 7,200 px
    assert len(fig.axes) == 3  # time panels of at most an hour, one above the other


def test_cjk_and_arabic_names_are_drawn_in_fonts_that_have_them() -> None:
    from matplotlib import font_manager

    families = use_chart_fonts()
    if "Noto Sans CJK SC" not in families:
        pytest.skip("Noto fonts not installed (scripts/setup installs them as root)")
    for text in ("天安门城楼 観閲台", "نقطة التفريق"):
        font = font_manager.fontManager
        covered = any(
            all(ord(ch) in font_manager.get_font(font.findfont(f)).get_charmap()
                for ch in text if not ch.isspace())
            for f in families
        )  # fmt: skip
        assert covered, text


def test_units_leave_the_graph_at_the_release_point() -> None:
    _, s = load_and_schedule(EXAMPLES / "victory-day-2025" / "plan.yaml")
    top = s.checkpoints[-1].at_m
    for u in s.units:
        if u.trajectory is None:
            continue
        t, head, tail = _band(u, top)
        tr = u.trajectory
        # The band's last point is the tail passing the release point: no flat line after.
        assert tail[-1] == pytest.approx(top)
        assert t[-1] == pytest.approx(float(tr.leave(top + u.length_m)), abs=1e-6)
        assert np.count_nonzero(np.isclose(tail, top)) <= 2


@pytest.mark.parametrize("plan", PLANS, ids=IDS)
def test_commands_that_draw_write_nothing_but_what_they_wrote(plan: Path, tmp_path: Path) -> None:
    """A fresh process: warnings (with source paths) would show here."""
    graph, fan, bars = tmp_path / "graph.png", tmp_path / "fan.svg", tmp_path / "bars.png"
    for args, out in (
        (["graph", str(plan), "-o", str(graph)], graph),
        (["simulate", str(plan), "-n", "3", "--seed", "1", "--chart", str(fan)], fan),
        (["compose", str(plan), "--chart", str(bars)], bars),
    ):
        p = subprocess.run([sys.executable, "-m", "paradeops", *args],
                           capture_output=True, text=True, timeout=300)  # fmt: skip
        assert p.returncode == 0, p.stderr
        assert p.stderr.strip() == f"wrote {out}", p.stderr
        assert out.stat().st_size > 1000
