"""What changed between two revisions of a plan: units added, removed, moved, retimed."""

from __future__ import annotations

from paradeops.reports.schedule_json import iso_clock
from paradeops.service.plans.models import TimeChange, UnitMove
from paradeops.timing.schedule import Schedule

#: Planned times closer than this are the same time [s].
TIME_TOLERANCE_S = 0.5


def diff(a: Schedule, b: Schedule) -> tuple[list[str], list[str], list[UnitMove], list[TimeChange]]:
    before = [u.id for u in a.units]
    after = [u.id for u in b.units]
    added = [u for u in after if u not in set(before)]
    removed = [u for u in before if u not in set(after)]
    common_a = [u for u in before if u in set(after)]
    common_b = [u for u in after if u in set(before)]
    # Units outside the longest common subsequence are the ones that moved.
    stay = _lcs(common_a, common_b)
    moved = [
        UnitMove(unit=u, before=before.index(u) + 1, after=after.index(u) + 1)
        for u in common_b
        if u not in stay
    ]
    changes = []
    ub = {u.id: u for u in b.units}
    for ua in a.units:
        vb = ub.get(ua.id)
        if vb is None:
            continue
        for pa in ua.passes:
            pb = vb.at(pa.checkpoint)
            if pb is None:
                continue
            for part in ("head", "tail"):
                ta, tb = getattr(pa, part), getattr(pb, part)
                ca, cb = a.clock(ta), b.clock(tb)
                delta = (cb - ca).total_seconds()
                if abs(delta) > TIME_TOLERANCE_S:
                    changes.append(
                        TimeChange(
                            unit=ua.id,
                            checkpoint=pa.checkpoint,
                            part=part,
                            before=iso_clock(a, ta),
                            after=iso_clock(b, tb),
                            delta_s=round(delta, 1),
                        )
                    )
    return added, removed, moved, changes


def _lcs(a: list[str], b: list[str]) -> set[str]:
    n, m = len(a), len(b)
    t = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            t[i][j] = t[i + 1][j + 1] + 1 if a[i] == b[j] else max(t[i + 1][j], t[i][j + 1])
    out, i, j = set(), 0, 0
    while i < n and j < m:
        if a[i] == b[j]:
            out.add(a[i])
            i, j = i + 1, j + 1
        elif t[i + 1][j] >= t[i][j + 1]:
            i += 1
        else:
            j += 1
    return out
