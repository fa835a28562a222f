"""The ETA answer at one spot, from a plan's conditioned runs (times on the parade's clock)."""

from __future__ import annotations

from paradeops.live.eta_ranges import Estimate, eta_at
from paradeops.service.control import service
from paradeops.service.public.document import iso
from paradeops.service.public.models import EtaOut, HeadTail, Range, UnitEta
from paradeops.service.public.ranges import Made
from paradeops.timing.schedule import Schedule


def _range(s: Schedule, e: Estimate) -> Range:
    if e.actual is not None:
        return Range(actual=iso(s, e.actual))
    if e.p10 is None or e.p50 is None or e.p90 is None:
        return Range()
    return Range(p10=iso(s, e.p10), p50=iso(s, e.p50), p90=iso(s, e.p90))


def observed_at(snap: service.Snapshot, checkpoint: str) -> dict[tuple[str, str], float]:
    """What marshals saw at ``checkpoint``: (unit, part) → time."""
    seen: dict[tuple[str, str], float] = {}
    for u in snap.live.units:
        p = u.at(checkpoint)
        if p is None:
            continue
        if p.head_observed:
            seen[(u.id, "head")] = p.head
        if p.tail_observed:
            seen[(u.id, "tail")] = p.tail
    return seen


def answer(made: Made, snap: service.Snapshot, at_m: float, checkpoint: str | None) -> EtaOut:
    """``made``'s ranges at ``at_m``; at a checkpoint, what was seen there is the actual."""
    s = made.snap.loaded.schedule
    observed = observed_at(snap, checkpoint) if checkpoint is not None else None
    spot = eta_at(made.summary, at_m, observed)
    return EtaOut(
        plan=snap.loaded.plan_id,
        checkpoint=checkpoint,
        at_m=at_m,
        runs=made.summary.runs,
        computed=iso(s, made.summary.now) or "",
        parade=HeadTail(head=_range(s, spot.head), tail=_range(s, spot.tail)),
        units=[UnitEta(id=uid, head=_range(s, h), tail=_range(s, t)) for uid, h, t in spot.units],
    )
