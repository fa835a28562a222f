"""The kernel's fast step gives the same results to the bit as the full step.

Plain marching (no step-off, show stop, braking curve or new speed limit
within reach, the unit ahead neither cruising nor retired) takes a fast step
whose reach is worked out in advance (simulation/idm.py). It is an
optimisation, not a model: every pass time, gap and update count must be
the same as with the full step at every unit-step (``fast_step=False``), on
the shipped examples, the SUMO validation scenarios and random columns with
stops, limits and mixed head models.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paradeops.io.planfile import load_plan
from paradeops.simulation.agents import Layout, column
from paradeops.simulation.kernel_data import MODEL_IDM, MODEL_IIDM
from paradeops.simulation.monte_carlo import Raw, prepare, run
from paradeops.timing.engine import schedule
from paradeops.validation.sumo import paradeops_inputs, paradeops_layout, scenarios

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*/plan.yaml"))


def _assert_same(fast: Raw, full: Raw) -> None:
    for name in ("head_t", "tail_t", "gap_m", "updates", "finished"):
        a, b = getattr(fast, name), getattr(full, name)
        assert np.array_equal(a, b, equal_nan=True), name


def _both(layout: Layout, vdes, delay, stop, *, dt: float, t0: float, t1: float,  # type: ignore[no-untyped-def]
          shortcuts: bool) -> tuple[Raw, Raw]:  # fmt: skip
    fast, full = (
        run(
            layout, vdes, delay, stop, dt=dt, t_start=t0, t_end=t1, shortcuts=shortcuts, fast_step=f
        )  # fmt: skip
        for f in (True, False)
    )
    return fast, full


@pytest.mark.parametrize("shortcuts", [False, True], ids=["full-model", "shortcuts"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name)
def test_the_fast_step_is_exact_on_the_examples(path: Path, shortcuts: bool) -> None:
    plan = load_plan(path)
    s = prepare(plan, schedule(plan), 2, np.random.default_rng(4), shortcuts=shortcuts)
    fast, full = _both(s.layout, s.vdes, s.delay, s.stop, dt=s.spec.step_s, t0=s.t_start,
                       t1=s.t_end, shortcuts=shortcuts)  # fmt: skip
    assert full.finished.all()
    assert np.isfinite(full.head_t).any()
    _assert_same(fast, full)


@pytest.mark.parametrize("name", sorted(scenarios(12, 0.1)))
def test_the_fast_step_is_exact_on_the_sumo_scenarios(name: str) -> None:
    sc = scenarios(12, 0.1)[name]
    vdes, delay, stop = paradeops_inputs(sc, 1)
    fast, full = _both(paradeops_layout(sc), vdes, delay, stop, dt=sc.step, t0=0.0,
                       t1=sc.horizon, shortcuts=True)  # fmt: skip
    _assert_same(fast, full)


@st.composite
def _columns(draw: st.DrawFn) -> tuple[Layout, np.ndarray, np.ndarray, np.ndarray, float]:
    """A column of 2-8 vehicles, each its own unit, with random desired speeds,
    head models, show stops (some vehicles) and up to two limited stretches."""
    n = draw(st.integers(2, 8))
    accel = draw(st.floats(0.5, 2.0))
    decel = draw(st.floats(1.0, 3.0))
    layout = column(n, 5.0, 2.5, 3.0, (accel, decel, 1.0, 4.0, 2.5), (50.0, 200.0, 400.0),
                    stand=1)  # fmt: skip
    models = draw(st.lists(st.sampled_from([MODEL_IDM, MODEL_IIDM]), min_size=n, max_size=n))
    stop_x = np.full(n, np.inf)
    for k in draw(st.lists(st.integers(0, n - 1), max_size=2, unique=True)):
        stop_x[k] = draw(st.floats(20.0, 380.0))
    lims = draw(st.lists(st.tuples(st.floats(0.0, 350.0), st.floats(5.0, 120.0),
                                   st.floats(0.3, 4.0)), max_size=2))  # fmt: skip
    layout = replace(
        layout,
        a_model=np.array(models, np.int64),
        u_stop_x=stop_x,
        lim_a=np.array([a for a, _, _ in lims]),
        lim_b=np.array([a + w for a, w, _ in lims]),
        lim_v=np.array([v for _, _, v in lims]),
    )
    vdes = np.array([draw(st.lists(st.floats(0.8, 5.0), min_size=n, max_size=n))])
    stop = np.where(np.isfinite(stop_x), draw(st.floats(0.0, 40.0)), 0.0)[None, :]
    dt = draw(st.sampled_from([0.05, 0.1, 0.2]))
    return layout, vdes, np.zeros((1, n)), stop, dt


@settings(max_examples=40, deadline=None)
@given(case=_columns(), shortcuts=st.booleans())
def test_the_fast_step_is_exact_on_random_columns(
    case: tuple[Layout, np.ndarray, np.ndarray, np.ndarray, float], shortcuts: bool
) -> None:
    layout, vdes, delay, stop, dt = case
    fast, full = _both(layout, vdes, delay, stop, dt=dt, t0=0.0, t1=2000.0, shortcuts=shortcuts)
    assert np.isfinite(full.head_t[:, :, 0]).all()  # everyone got going
    _assert_same(fast, full)
