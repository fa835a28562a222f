"""Which measured times a unit did not govern itself, and why figures are missing.

A follower held behind the unit ahead passes at that unit's time; those
times, and stretches a speed limit governs, are left out of the unit's fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from paradeops.calibration.arrays import BoolArray, IntArray
from paradeops.calibration.results import Constraint
from paradeops.calibration.runs import Run
from paradeops.timing.schedule import FloatArray

if TYPE_CHECKING:
    from paradeops.calibration.fitting import RunFit

#: A follower whose head is within ``min_gap_m`` + this of the leader's tail
#: at a checkpoint is taken as held there: its time is the leader's, not its
#: own [m]. Reading noise of 0.3 s is 1.5 m at 18 km/h; a free follower that
#: is closing up is only mistaken for a held one in its last metres.
HELD_MARGIN_M = 3.0


def held_at(
    head: FloatArray, lead_tail: FloatArray, x: FloatArray, min_gap: float, lead_speed: float
) -> BoolArray:
    """Checkpoints where the head came within ``min_gap`` (+ margin) of the leader's tail.

    The road between them is the time since the leader's tail passed times
    that tail's measured speed there (the next stretch, else the one before,
    else the leader's planned speed). Unknown where either time is missing.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        stretch = np.diff(x) / np.diff(lead_tail)
    after = np.concatenate((stretch, [np.nan]))
    before = np.concatenate(([np.nan], stretch))
    v = np.where(np.isfinite(after), after, np.where(np.isfinite(before), before, lead_speed))
    road = v * (head - lead_tail)
    with np.errstate(invalid="ignore"):
        return np.asarray(np.isfinite(road) & (road < min_gap + HELD_MARGIN_M))


def free_blocks(free_stretch: BoolArray, held: BoolArray) -> IntArray:
    """Checkpoints joined by free stretches, numbered from the start; -1 where held.

    Within a block the head moves freely, so its times lie on one line
    a + beta * F(x); across a held or limited stretch the offset a changes.
    """
    labels = np.full(len(held), -1, dtype=np.int64)
    block = -1
    for k in range(len(held)):
        if held[k]:
            continue
        joined = k > 0 and labels[k - 1] >= 0 and bool(free_stretch[k - 1])
        if not joined:
            block += 1
        labels[k] = block
    return labels


def held_constraints(
    runs: Sequence[Run], ids: list[str], cps: list[str], held: BoolArray, j: int
) -> tuple[Constraint, ...]:
    """One constraint per first held checkpoint, with the runs it happened in."""
    first: dict[int, list[str]] = {}
    for r, run in enumerate(runs):
        where = np.nonzero(held[r, j])[0]
        if len(where):
            first.setdefault(int(where[0]), []).append(run.name)
    return tuple(
        Constraint(
            "held",
            cps[k],
            tuple(names),
            f"held behind {ids[j - 1]} from {cps[k]} in {', '.join(names)}: "
            f"its times there are {ids[j - 1]}'s",
        )
        for k, names in sorted(first.items())
    )


def why_left_out(
    fits: Sequence[RunFit],
    delay: FloatArray,
    fitted_gap: float | None,
    driven: bool,
    factor: float | None,
) -> tuple[str, ...]:
    """Why figures are missing: never a constrained value in their place."""
    out = []
    held_at_start = any(np.isnan(f.reach_m) for f in fits)
    if factor is None:
        out.append("speed: no two head times on a stretch it moved freely")
    if not np.isfinite(delay).any():
        if held_at_start:
            out.append("step-off: held at the start by the unit ahead")
        elif driven:
            out.append("step-off: the unit ahead's tail was not seen moving freely to the gap")
        else:
            out.append("step-off: no head time at the start's free stretch")
    if driven and fitted_gap is None:
        out.append("gap: the unit ahead's tail was not seen moving freely that far")
    return tuple(out)
