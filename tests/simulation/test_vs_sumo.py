"""The kernel against Eclipse SUMO on small columns (skips only without SUMO).

Where the two implement the same model (plain IDM, a column starting under a
speed limit and leaving it, a slow leader) they agree to 1e-4 s; the
tolerance is a little above that, so a parameter 1 % off in ParadeOps alone
fails — the perturbation tests prove it. Where the models differ by design
(SUMO has no improved IDM, only EIDM; SUMO's IDM approaches a stop and a
lower limit as an obstacle, ParadeOps brakes at ``b`` onto a curve;
docs/simulation.md) the known difference is pinned, so that a change in it
is seen.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt
import pytest

from paradeops.validation.sumo import (
    Scenario,
    max_difference,
    run_paradeops,
    run_sumo,
    scenarios,
    sumo_available,
)

pytestmark = pytest.mark.skipif(not sumo_available(), reason="eclipse-sumo is not installed")

VEHICLES = 12
#: Observed: below 1e-4 s on these columns (6.4e-5 s on 100 vehicles, 2e-3 s
#: for the slow leader's 100); a 1 % error in accel gives 0.017 s or more.
TOLERANCE_S = 0.002
SAME_MODEL = ("plain_idm", "speed_limit", "slow_leader")
#: Different models (docs/simulation.md, 'Validation against SUMO'): observed + 0.1 s.
KNOWN_DIFFERENCE_S = {
    "improved_idm": 0.86,  # observed 0.76 s: EIDM (Euler) vs IIDM (ballistic)
    "speed_limit_approach": 1.79,  # observed 1.69 s: SUMO brakes early, as for an obstacle
    "show_stop": 3.01,  # observed 2.91 s: SUMO's IDM creeps up to its stop
}


@pytest.fixture(scope="module")
def small() -> dict[str, Scenario]:
    return scenarios(vehicles=VEHICLES)


@pytest.fixture(scope="module")
def sumo_times(small: dict[str, Scenario]) -> dict[str, npt.NDArray[np.float64]]:
    return {name: run_sumo(sc).times for name, sc in small.items()}


@pytest.mark.parametrize("name", SAME_MODEL)
def test_same_model_agrees_with_sumo_within_the_tolerance(
    name: str, small: dict[str, Scenario], sumo_times: dict[str, npt.NDArray[np.float64]]
) -> None:
    ours = run_paradeops(small[name])
    assert np.all(np.isfinite(sumo_times[name]))
    assert max_difference(ours, sumo_times[name]) < TOLERANCE_S


@pytest.mark.parametrize("name", SAME_MODEL)
@pytest.mark.parametrize("parameter", ["accel", "tau", "min_gap_m"])
def test_a_parameter_one_percent_off_fails_the_tolerance(
    name: str,
    parameter: str,
    small: dict[str, Scenario],
    sumo_times: dict[str, npt.NDArray[np.float64]],
) -> None:
    sc = small[name]
    off = replace(sc, **{parameter: getattr(sc, parameter) * 1.01})  # ParadeOps only
    assert max_difference(run_paradeops(off), sumo_times[name]) > TOLERANCE_S


def test_decel_one_percent_off_fails_the_tolerance_on_the_plain_column(
    small: dict[str, Scenario], sumo_times: dict[str, npt.NDArray[np.float64]]
) -> None:
    # Only the plain column starts every follower braking (b enters s*);
    # a slow leader's column closes up without it.
    sc = small["plain_idm"]
    off = replace(sc, decel=sc.decel * 1.01)
    assert max_difference(run_paradeops(off), sumo_times["plain_idm"]) > TOLERANCE_S


@pytest.mark.parametrize("name", sorted(KNOWN_DIFFERENCE_S))
def test_different_models_keep_their_known_difference(
    name: str, small: dict[str, Scenario], sumo_times: dict[str, npt.NDArray[np.float64]]
) -> None:
    worst = max_difference(run_paradeops(small[name]), sumo_times[name])
    assert 0.1 < worst < KNOWN_DIFFERENCE_S[name]


def test_sumo_counts_its_vehicle_updates(small: dict[str, Scenario]) -> None:
    r = run_sumo(small["plain_idm"])
    assert r.updates_per_s > 0 and r.updates > 0 and r.wall_s > 0
