"""The live core (paradeops.live), pure: no database, no clock."""

from __future__ import annotations

import pytest

from paradeops.io.planfile import parse_plan
from paradeops.live import Actual, Thresholds, project, running_order
from paradeops.timing.engine import schedule
from paradeops.timing.schedule import Schedule

from .support import SMALL_PLAN


@pytest.fixture(scope="module")
def plan_schedule() -> Schedule:
    return schedule(parse_plan(SMALL_PLAN, "plan.yaml"))


def unit(live, uid):  # type: ignore[no-untyped-def]
    return next(u for u in live.units if u.id == uid)


def test_on_time_without_actuals(plan_schedule: Schedule) -> None:
    live = project(plan_schedule, [], now=0.0)
    for u, planned in zip(live.units, plan_schedule.units, strict=True):
        assert u.state == "waiting" and u.delay_s == pytest.approx(0.0, abs=1e-6)
        for p, q in zip(u.passes, planned.passes, strict=True):
            assert p.head == pytest.approx(q.head) and p.tail == pytest.approx(q.tail)
    assert live.alerts == ()


def test_late_leader_delays_the_followers(plan_schedule: Schedule) -> None:
    # Colour guard at the tribune 90 s late (planned 200 s): head 1.5 m/s, so
    # it reaches the release (300 m on) at 290 + 200 = 490 s.
    actuals = [
        Actual("colour-guard", "start", "head", 0.0),
        Actual("colour-guard", "tribune", "head", 290.0),
    ]
    live = project(plan_schedule, actuals, now=290.0, thresholds=Thresholds(late_s=60))
    cg = unit(live, "colour-guard")
    assert cg.delay_s == pytest.approx(90.0)
    release = cg.at("release")
    assert release is not None and release.head == pytest.approx(490.0) and release.head_ahead
    tribune = cg.at("tribune")
    assert tribune is not None and tribune.head_observed and not tribune.head_ahead
    assert tribune.tail_ahead  # 2.8 m long: its tail is still to pass
    # The band was not seen at the start, which reports: it is late too.
    band = unit(live, "band")
    assert band.delay_s > 200 and band.state == "waiting"
    # It can never pass through the colour guard: held at least min_gap behind.
    tr_cg, tr_band = cg.trajectory, band.trajectory
    assert tr_cg is not None and tr_band is not None
    for t in range(300, 800, 10):
        assert float(tr_band.position(t)) <= float(tr_cg.position(t)) - cg.length_m - 5 + 1e-6
    kinds = {a.kind for a in live.alerts}
    assert "late" in kinds


def test_silent_checkpoint_is_no_news(plan_schedule: Schedule) -> None:
    # Only the tribune reports; long past the band's planned start, it is not late for that.
    live = project(plan_schedule, [Actual("colour-guard", "tribune", "head", 200.0)], now=100.0)
    assert unit(live, "band").delay_s == pytest.approx(0.0, abs=1e-6)


def test_window_and_gap_alerts(plan_schedule: Schedule) -> None:
    # The tanks are seen at the start 20 minutes late: the window (10:20) is lost,
    # and a gap opens in front of them.
    actuals = [
        Actual("colour-guard", "start", "head", 0.0),
        Actual("band", "start", "head", 15.2),
        Actual("band", "tribune", "head", 233.4),
        Actual("tanks", "start", "head", 1237.0),
    ]
    live = project(
        plan_schedule, actuals, now=1237.0, thresholds=Thresholds(late_s=60, max_gap_m=100)
    )
    by_kind = {a.kind: a for a in live.alerts}
    assert by_kind["window"].severity == "error"
    assert by_kind["gap"].unit == "tanks" and by_kind["gap"].amount > 100
    assert live.reviewing_last_tail is not None and live.reviewing_last_tail > 1200


def test_announcer_follows_the_real_order(plan_schedule: Schedule) -> None:
    # The band is seen at the tribune before the colour guard's projected time there.
    actuals = [
        Actual("colour-guard", "start", "head", 60.0),
        Actual("band", "tribune", "head", 150.0),
    ]
    live = project(plan_schedule, actuals, now=150.0)
    order = [line.unit for line in running_order(plan_schedule, live)]
    assert order[0] == "band"
    assert running_order(plan_schedule, live)[0].observed


def test_a_time_that_is_not_a_number_is_no_news(plan_schedule: Schedule) -> None:
    # NaN or infinity (a corrupted actual) would otherwise poison every comparison.
    good = [Actual("colour-guard", "start", "head", 10.0)]
    bad = [
        Actual("colour-guard", "start", "head", float("nan")),
        Actual("colour-guard", "tribune", "head", float("inf")),
        Actual("band", "start", "head", float("-inf")),
    ]
    with_bad, without = (project(plan_schedule, a, now=20.0) for a in (good + bad, good))
    assert [(u.state, u.delay_s, u.passes, u.last) for u in with_bad.units] == [
        (u.state, u.delay_s, u.passes, u.last) for u in without.units
    ]
    assert with_bad.alerts == without.alerts
