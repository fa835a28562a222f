"""Benchmark of ``paradeops lineup``: the whole search, and one order timed.

For 50, 150 and 500 ground units of :func:`paradeops.synthetic.carnival_plan`
(seed 7), tagged here (bands ``band``, horses ``horses``, every other
vehicle column ``loud``, floats with a show stop ``featured``; seed 1), with
rules of every kind: the first and last units fixed, two units kept in order,
bands 2 apart, horses not within 2 behind a band or a loud unit, featured
floats' heads at the stand in a window. Prints per size::

    units=N median_s=X held_before_s=Y held_after_s=Z

(the median wall time of ``--repeat`` runs of the whole optimisation with
``--time-limit``; held time before and after), checks that no order rule is
broken, then the median time to time one order of 1,000 units with the
compiled kernel (``eval_units=1000 median_ms=...``). Say the load
(``uptime``) with any figure.

    .venv/bin/python benchmarks/bench_lineup.py [--sizes 50 150 500] [--time-limit 20]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from paradeops.lineup.constraints import broken, compile_rules
from paradeops.lineup.optimise import column_kernel, lineup
from paradeops.lineup.rules import Rules, rules_issues
from paradeops.lineup.scoring import Scorer
from paradeops.model.plan import AircraftUnit, Plan
from paradeops.synthetic import carnival_plan


def tagged_carnival(n_ground: int) -> Plan:
    """The carnival of ``n_ground`` units with tags (deterministic)."""
    plan = carnival_plan(n_ground, seed=7)
    rng = np.random.default_rng(1)
    for u in plan.units:
        if u.kind == "band":
            u.tags = ["band"]
        elif u.kind == "mounted":
            u.tags = ["horses"]
        elif u.kind == "vehicles" and rng.random() < 0.5:
            u.tags = ["loud"]
        elif u.kind == "float" and u.show_stop is not None:
            u.tags = ["featured"]
    return plan


def rules_for(plan: Plan) -> Rules:
    ground = [u.id for u in plan.units if not isinstance(u, AircraftUnit)]
    rules = Rules.model_validate(
        {
            "version": 1,
            "fixed": {"first": [ground[0]], "last": [ground[-1]]},
            "keep_order": [[ground[3], ground[2]]],
            "apart": [{"tags": ["band"], "min_units": 2}],
            "not_behind": [{"tags": ["horses"], "behind": ["band", "loud"], "within_units": 2}],
            "window": [{"tags": ["featured"], "at": "reviewing",
                        "head_between": ["14:05", "16:25"]}],
        }
    )  # fmt: skip
    assert not rules_issues(rules, plan), rules_issues(rules, plan)
    return rules


def bench_size(n: int, time_limit: float, repeat: int) -> None:
    plan = tagged_carnival(n)
    rules = rules_for(plan)
    c = compile_rules(rules, plan)
    walls, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = lineup(plan, rules, c, time_limit_s=time_limit, seed=0, workers=2)
        walls.append(time.perf_counter() - started)
    assert result is not None
    order = np.array([c.ids.index(u) for u in result.order if u in c.ids])
    assert not broken(c, order), broken(c, order)
    kept = sum(r.satisfied for r in result.rules)
    print(
        f"units={n} median_s={statistics.median(walls):.2f} "
        f"held_before_s={result.before.held_s:.1f} held_after_s={result.after.held_s:.1f} "
        f"rules_kept={kept}/{len(result.rules)} orders_timed={result.search.evaluations}",
        flush=True,
    )


def bench_evaluation(n: int = 1000, runs: int = 200) -> None:
    """Time one order of ``n`` units: permute the arrays, run the kernel, the figures."""
    plan = tagged_carnival(n)
    c = compile_rules(Rules.model_validate({"version": 1}), plan)
    scorer = Scorer(plan, c, ["held_time"], column_kernel())
    rng = np.random.default_rng(0)
    order = np.arange(c.n)
    scorer.figures(order)  # loads the compiled kernel
    walls, cpus = [], []
    for _ in range(runs):
        i, j = rng.integers(0, c.n, size=2)
        order[i], order[j] = order[j], order[i]  # a search's step: one swap
        started, cpu = time.perf_counter(), time.process_time()
        scorer.figures(order)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    # CPU time too: on a loaded machine the wall time counts other processes' turns.
    print(
        f"eval_units={c.n} median_ms={1000 * statistics.median(walls):.2f} "
        f"median_cpu_ms={1000 * statistics.median(cpus):.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 150, 500])
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    bench_evaluation()
    for n in args.sizes:
        bench_size(n, args.time_limit, args.repeat)


if __name__ == "__main__":
    main()
