"""A first order built place by place: CP-SAT's hint, and its stand-in when it finds none.

At each place, the fastest unit left that keeps every rule with the units
already placed (a fixed unit at its place; a unit of a ``keep_order`` group
only after those before it; ``apart`` and ``not_behind`` against the last
few places). A tag group of ``apart`` whose units need every place left (one
every ``min_units + 1``) goes first, then the units a ``not_behind`` keeps
out of places behind others, while they fit. It can be stuck where an order exists:
then it gives up (None), and CP-SAT alone decides. Its work grows with the
parade's length squared at worst (a unit tried at each place), whatever
``within`` the rules give; an insertion to get unstuck is tried only in
parades of at most :data:`INSERT_MAX_UNITS` units.
"""

from __future__ import annotations

import numpy as np

from paradeops.lineup.constraints import Constraints, IntArray

#: Longer parades give up where this construction gets stuck (the insertion tries
#: every unit left at every place, each check over the whole order).
INSERT_MAX_UNITS = 300


def greedy_order(c: Constraints, speed_ms: np.ndarray) -> IntArray | None:
    """An order keeping every order rule, or None when this construction is stuck."""
    n = c.n
    fixed = c.fixed_places()
    at_place = {p: u for u, p in fixed.items()}
    before: dict[int, list[int]] = {}
    for group in c.keep_order:
        for a, b in zip(group, group[1:], strict=False):
            before.setdefault(b, []).append(a)
    left = [int(u) for u in np.argsort(-speed_ms, kind="stable") if int(u) not in fixed]
    order: list[int] = []
    last_ahead = _last_ahead(c, order)
    while len(order) < n:
        p = len(order)
        if p in at_place:
            u: int | None = at_place[p]
        else:
            u = _pick(c, order, left, before, set(order), n - p, last_ahead)
        if u is None or not _fits(c, order, u, before, set(order), last_ahead):
            # stuck: one of the units left goes in somewhere earlier
            inserted = _insert_earlier(c, order, left) if n <= INSERT_MAX_UNITS else None
            if inserted is None or p in at_place:
                return None
            left.remove(inserted)
            last_ahead = _last_ahead(c, order)
            continue
        if p not in at_place:
            left.remove(u)
        order.append(u)
        for rule in c.pairs:
            if u in rule.ahead_set:
                last_ahead[rule.name] = p
    return np.array(order, dtype=np.int64)


def _last_ahead(c: Constraints, order: list[int]) -> dict[str, int]:
    """For each pair rule, the last place of ``order`` holding one of its ``ahead``."""
    last = {rule.name: -(10**9) for rule in c.pairs}
    for p, u in enumerate(order):
        for rule in c.pairs:
            if u in rule.ahead_set:
                last[rule.name] = p
    return last


def _insert_earlier(c: Constraints, order: list[int], left: list[int]) -> int | None:
    """Put one unit of ``left`` in at an earlier place where every rule still holds."""
    lo = len(c.first)
    for u in left:
        for q in range(len(order) - 1, lo - 1, -1):
            candidate = [*order[:q], u, *order[q:]]
            if _prefix_ok(c, candidate):
                order[:] = candidate
                return u
    return None


def _prefix_ok(c: Constraints, prefix: list[int]) -> bool:
    """Whether the units of ``prefix``, and the fixed ones at their places, keep the rules."""
    place = {u: p for u, p in c.fixed_places().items()}
    place.update({u: p for p, u in enumerate(prefix)})
    for group in c.keep_order:
        seen = [place[u] for u in group if u in place]
        if any(b <= a for a, b in zip(seen, seen[1:], strict=False)):
            return False
    for rule in c.pairs:
        ahead = sorted(place[u] for u in rule.ahead if u in place)  # few: checked per unit
        for u in rule.behind:
            if u in place:
                p = place[u]
                if any(0 < p - q <= rule.within for q in ahead):
                    return False
    return True


def _pick(
    c: Constraints,
    order: list[int],
    left: list[int],
    before: dict[int, list[int]],
    placed: set[int],
    places_left: int,
    last_ahead: dict[str, int],
) -> int | None:
    """The unit for the next place: an urgent apart group's first, else the fastest that
    fits of those a ``not_behind`` keeps out of places (they fit least later), else the
    fastest that fits."""
    for rule in c.pairs:
        if not rule.both_ways:
            continue
        waiting = [u for u in left if u in rule.ahead_set]
        if waiting and (len(waiting) - 1) * (rule.within + 1) + 1 >= places_left:
            return next(
                (u for u in waiting if _fits(c, order, u, before, placed, last_ahead)), None
            )
    kept_out = {u for rule in c.pairs if not rule.both_ways for u in rule.behind}
    first = [u for u in left if u in kept_out] + [u for u in left if u not in kept_out]
    return next((u for u in first if _fits(c, order, u, before, placed, last_ahead)), None)


def _fits(
    c: Constraints,
    order: list[int],
    u: int,
    before: dict[int, list[int]],
    placed: set[int],
    last_ahead: dict[str, int],
) -> bool:
    """Whether ``u`` may come next after ``order`` (and before the fixed units to come)."""
    if any(a not in placed for a in before.get(u, ())):
        return False
    p = len(order)
    fixed = c.fixed_places()
    for rule in c.pairs:
        if u in rule.behind_set and last_ahead[rule.name] >= p - rule.within:
            return False
        if u in rule.ahead_set:
            coming = (f for f, q in fixed.items() if p < q <= p + rule.within and f != u)
            if any(f in rule.behind_set for f in coming):
                return False
    return True
