"""The announcer's script: units in the order they really reach the reviewing stand."""

from __future__ import annotations

from dataclasses import dataclass

from paradeops.live.model import LiveStatus
from paradeops.timing.schedule import Schedule


@dataclass(frozen=True)
class ScriptLine:
    unit: str
    name: str
    kind: str
    description: str | None
    #: When the head reaches the stand (aircraft: passes over its point) [s].
    at: float
    observed: bool
    debut: bool


def running_order(schedule: Schedule, live: LiveStatus) -> list[ScriptLine]:
    """Observed times where reported, projected otherwise; ties keep the order of march."""
    rev = schedule.reviewing.id
    lines = []
    for order, (u, st) in enumerate(zip(schedule.units, live.units, strict=True)):
        p = st.at(rev) or (st.passes[0] if st.passes else None)
        if p is None:
            continue
        lines.append(
            (
                p.head,
                order,
                ScriptLine(u.id, u.name, u.kind, u.description, p.head, p.head_observed, u.debut),
            )
        )
    lines.sort(key=lambda x: (x[0], x[1]))
    return [line for _, _, line in lines]
