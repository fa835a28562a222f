"""The rules over positions: which units each rule binds, and checks of an order.

An order is a permutation of the plan's ground units (aircraft keep their
places in the file; they are timed by their own ``at``): ``order[p]`` is the
index, among the ground units as the plan lists them, of the unit at place
``p``. Rules are named as the JSON report names them (``apart[0]``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt

from paradeops.lineup.rules import Rules, window_seconds
from paradeops.model.plan import AircraftUnit, Plan

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Pairs:
    """``apart`` and ``not_behind`` as units: ``ahead`` may not be 1..``within`` places
    before ``behind`` (``apart`` is both ways round, within ``min_units``)."""

    name: str
    ahead: tuple[int, ...]
    behind: tuple[int, ...]
    within: int
    both_ways: bool

    @cached_property
    def ahead_set(self) -> frozenset[int]:
        return frozenset(self.ahead)

    @cached_property
    def behind_set(self) -> frozenset[int]:
        return frozenset(self.behind)


@dataclass(frozen=True)
class WindowRule:
    name: str
    units: tuple[int, ...]
    checkpoint: int
    lo_s: float
    hi_s: float


@dataclass(frozen=True)
class Constraints:
    """Every rule of a rules file, as unit indices among the plan's ground units."""

    ids: tuple[str, ...]
    first: tuple[int, ...]
    last: tuple[int, ...]
    keep_order: tuple[tuple[int, ...], ...]
    pairs: tuple[Pairs, ...]
    windows: tuple[WindowRule, ...]

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def names(self) -> list[str]:
        """Every rule's name, in the order of the rules file."""
        fixed = [n for n, u in (("fixed.first", self.first), ("fixed.last", self.last)) if u]
        return [
            *fixed,
            *(f"keep_order[{g}]" for g in range(len(self.keep_order))),
            *(p.name for p in self.pairs),
            *(w.name for w in self.windows),
        ]

    def fixed_places(self) -> dict[int, int]:
        """Unit → the place ``fixed`` gives it."""
        places = {u: p for p, u in enumerate(self.first)}
        places.update({u: self.n - len(self.last) + p for p, u in enumerate(self.last)})
        return places


def compile_rules(rules: Rules, plan: Plan) -> Constraints:
    """``rules`` (checked against ``plan`` by :func:`~paradeops.lineup.rules.parse_rules`)."""
    ground = [u for u in plan.units if not isinstance(u, AircraftUnit)]
    index = {u.id: i for i, u in enumerate(ground)}

    def tagged(tags: list[str]) -> tuple[int, ...]:
        wanted = set(tags)
        return tuple(i for i, u in enumerate(ground) if wanted.intersection(u.tags))

    pairs = [
        Pairs(f"apart[{i}]", tagged(r.tags), tagged(r.tags), r.min_units, True)
        for i, r in enumerate(rules.apart)
    ] + [
        Pairs(f"not_behind[{i}]", tagged(r.behind), tagged(r.tags), r.within_units, False)
        for i, r in enumerate(rules.not_behind)
    ]
    cps = [c.id for c in plan.route.checkpoints]
    windows = [
        WindowRule(f"window[{i}]", tagged(w.tags), cps.index(w.at), *window_seconds(plan, w))
        for i, w in enumerate(rules.window)
    ]
    return Constraints(
        ids=tuple(u.id for u in ground),
        first=tuple(index[u] for u in rules.fixed.first),
        last=tuple(index[u] for u in rules.fixed.last),
        keep_order=tuple(tuple(index[u] for u in g) for g in rules.keep_order),
        pairs=tuple(pairs),
        windows=tuple(windows),
    )


def places_of(order: IntArray) -> IntArray:
    """The inverse permutation: ``place[unit]``."""
    place = np.empty_like(order)
    place[order] = np.arange(len(order))
    return place


def broken(c: Constraints, order: IntArray) -> list[str]:
    """The order rules ``order`` breaks (windows need the timing: see scoring)."""
    place = places_of(order)
    out = []
    fixed = c.fixed_places()
    if any(place[u] != p for u, p in fixed.items() if u in c.first):
        out.append("fixed.first")
    if any(place[u] != p for u, p in fixed.items() if u in c.last):
        out.append("fixed.last")
    for g, group in enumerate(c.keep_order):
        if np.any(np.diff(place[list(group)]) <= 0):
            out.append(f"keep_order[{g}]")
    out.extend(p.name for p in c.pairs if closest(p, place) <= p.within)
    return out


def closest(rule: Pairs, place: IntArray) -> int:
    """Fewest places from a unit of ``ahead`` to a later unit of ``behind`` (both ways
    for ``apart``); a large number when no two such units exist."""
    if not rule.ahead or not rule.behind:
        return 1 << 30
    a = np.sort(place[list(rule.ahead)])
    b = np.sort(place[list(rule.behind)])
    if rule.both_ways:
        return int(np.diff(a).min()) if len(a) > 1 else 1 << 30
    # For each unit behind, the nearest unit ahead of it.
    k = np.searchsorted(a, b, side="left") - 1
    ok = k >= 0
    if not ok.any():
        return 1 << 30
    return int((b[ok] - a[k[ok]]).min())
