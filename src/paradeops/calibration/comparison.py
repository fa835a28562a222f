"""Each measured pass against the plan: delays and pass-time errors per unit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paradeops.calibration.runs import Measured, Run
from paradeops.timing.schedule import Schedule


@dataclass(frozen=True)
class PassComparison:
    checkpoint: str
    planned_head: float
    planned_tail: float
    head: float | None
    tail: float | None

    @property
    def delay_s(self) -> float | None:
        return None if self.head is None else self.head - self.planned_head

    @property
    def pass_error_s(self) -> float | None:
        """Measured pass time (head to tail) minus the planned one."""
        if self.head is None or self.tail is None:
            return None
        return (self.tail - self.head) - (self.planned_tail - self.planned_head)


@dataclass(frozen=True)
class UnitComparison:
    run: str
    unit: str
    passes: tuple[PassComparison, ...]

    @property
    def mean_delay_s(self) -> float | None:
        return _mean([p.delay_s for p in self.passes])

    @property
    def mean_pass_error_s(self) -> float | None:
        return _mean([p.pass_error_s for p in self.passes])


def _mean(xs: Sequence[float | None]) -> float | None:
    vals = [x for x in xs if x is not None]
    return sum(vals) / len(vals) if vals else None


def compare(schedule: Schedule, run: Run) -> tuple[UnitComparison, ...]:
    """Per unit (in order of march), each measured pass against the plan."""
    rows: dict[str, list[Measured]] = {}
    for m in run.rows:
        rows.setdefault(m.unit, []).append(m)
    order = {c.id: i for i, c in enumerate(schedule.checkpoints)}
    out = []
    for us in schedule.units:
        if us.id not in rows:
            continue
        passes = []
        for m in sorted(rows[us.id], key=lambda m: order.get(m.checkpoint, 0)):
            p = us.at(m.checkpoint)
            if p is None:
                continue
            passes.append(PassComparison(m.checkpoint, p.head, p.tail, m.head, m.tail))
        out.append(UnitComparison(run.name, us.id, tuple(passes)))
    return tuple(out)
