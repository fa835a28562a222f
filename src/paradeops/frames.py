"""Typed results as pandas DataFrames (the ``to_frame()`` methods call these).

pandas is optional: it is imported here, on first use, and a missing pandas
is a :class:`~paradeops.errors.UserError` that says ``pip install pandas``.

Shapes, chosen for filtering, pivoting and joining (one row per fact):

* schedule: one row per unit and checkpoint it passes (aircraft: the one
  they fly over), in order of march, as the CSV export;
* simulation: one row per unit and checkpoint, P5/P50/P95 of head and tail;
* seating: one row per seated guest, in honour order of the seats;
* composition: one row per count (totals, then each class), one column per
  parade — the table ``paradeops compose`` prints.

Times are given twice: as seconds from the parade's reference time (floats,
exact, what the engine computes) and, where the reference is known, as
time-zone-aware ``Timestamp`` columns in the parade's own zone. The clock
times are the reference plus the seconds counted in UTC, so they are right
across a daylight-saving change. Missing values are NaN / NaT / ``<NA>``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from paradeops.errors import UserError

if TYPE_CHECKING:
    import pandas as pd

    from paradeops.composition.compose import Comparison
    from paradeops.protocol.guests import GuestBook
    from paradeops.protocol.seating import Seating
    from paradeops.protocol.tribunes import Layout, Tribunes
    from paradeops.simulation.results import Percentiles, SimulationResult
    from paradeops.timing.schedule import Schedule

__all__ = ["comparison_frame", "schedule_frame", "seating_frame", "simulation_frame"]

#: Seconds columns of the simulation frame, in order: (column, pass side, percentile).
_PERCENTILES = tuple(
    (f"{side}_{p}", side, p) for side in ("head", "tail") for p in ("p5", "p50", "p95")
)


def pandas() -> Any:
    """The pandas module, or the UserError that says how to install it."""
    try:
        import pandas as pd
    except ImportError:
        raise UserError(
            "to_frame needs pandas, which is not installed", hint="pip install pandas"
        ) from None
    return pd


def schedule_frame(s: Schedule) -> pd.DataFrame:
    """The movement table: one row per unit × checkpoint pass.

    Columns: ``order`` (1 = first unit of the march), ``unit_id``,
    ``unit_name``, ``kind``, ``checkpoint``, ``at_m`` (the checkpoint's
    distance from the start point), ``head``, ``tail``, ``head_leaves`` (after
    a show stop there, else NaT) as Timestamps in the parade's zone, and
    ``head_s``, ``tail_s``, ``head_leaves_s`` as seconds from
    ``Schedule.reference``. ``attrs`` holds ``parade`` and ``reference``.
    """
    pd = pandas()
    at_m = {c.id: c.at_m for c in s.checkpoints}
    rows = [
        {
            "order": order,
            "unit_id": u.id,
            "unit_name": u.name,
            "kind": u.kind,
            "checkpoint": p.checkpoint,
            "at_m": at_m.get(p.checkpoint, math.nan),
            "head_s": p.head,
            "tail_s": p.tail,
            "head_leaves_s": math.nan if p.head_leaves is None else p.head_leaves,
        }
        for order, u in enumerate(s.units, start=1)
        for p in u.passes
    ]
    columns = ["order", "unit_id", "unit_name", "kind", "checkpoint", "at_m"]
    seconds = ["head_s", "tail_s", "head_leaves_s"]
    frame = _frame(pd, rows, columns + seconds, ints=["order"], floats=["at_m", *seconds])
    for col in seconds:
        frame.insert(frame.columns.get_loc("head_s"), col[:-2], _clock(pd, s, frame[col]))
    frame.attrs.update(parade=s.parade, reference=s.reference)
    return frame


def simulation_frame(r: SimulationResult, s: Schedule | None = None) -> pd.DataFrame:
    """Percentiles per unit × checkpoint, with each unit's probabilities.

    Columns: ``unit_id``, ``kind``, ``simulated`` (False for aircraft, carried
    through unchanged), ``checkpoint``, ``held_probability`` (the unit's, on
    each of its rows), ``gap_probability`` and ``gap_m_p50``/``gap_m_p95`` (on
    the row of the checkpoint where the gap in front of the unit is measured,
    the reviewing stand; NaN elsewhere), then ``head_p5_s`` … ``tail_p95_s`` in
    seconds from the reference. With the plan's schedule ``s`` the same
    percentiles follow as Timestamps in the parade's zone (``head_p5`` …).
    ``attrs`` holds ``runs``, ``seed``, ``probability_late``, ``window_end_s``,
    ``last_tail_p50_s``, ``unfinished_runs``.
    """
    pd = pandas()
    gaps = {(g.unit, g.checkpoint): g for g in r.gaps}
    rows = []
    for u in r.units:
        for p in u.passes:
            gap = gaps.get((u.id, p.checkpoint))
            row: dict[str, Any] = {
                "unit_id": u.id,
                "kind": u.kind,
                "simulated": u.simulated,
                "checkpoint": p.checkpoint,
                "held_probability": u.held_probability,
                "gap_probability": math.nan if gap is None else gap.probability,
                "gap_m_p50": math.nan if gap is None else gap.gap_m.p50,
                "gap_m_p95": math.nan if gap is None else gap.gap_m.p95,
            }
            for col, side, q in _PERCENTILES:
                stats: Percentiles = getattr(p, side)
                row[f"{col}_s"] = getattr(stats, q)
            rows.append(row)
    seconds = [f"{col}_s" for col, _, _ in _PERCENTILES]
    floats = ["held_probability", "gap_probability", "gap_m_p50", "gap_m_p95", *seconds]
    columns = ["unit_id", "kind", "simulated", "checkpoint", *floats]
    frame = _frame(pd, rows, columns, bools=["simulated"], floats=floats)
    if s is not None:
        for col, _, _ in _PERCENTILES:
            frame[col] = _clock(pd, s, frame[f"{col}_s"])
    w = r.window
    frame.attrs.update(
        runs=r.runs,
        seed=r.seed,
        probability_late=w.probability_late,
        window_end_s=w.window_end,
        last_tail_p50_s=w.last_tail.p50,
        unfinished_runs=r.unfinished_runs,
    )
    return frame


def seating_frame(seating: Seating, book: GuestBook, tribunes: Tribunes | Layout) -> pd.DataFrame:
    """One row per seated guest, in honour order of the seats (0 = the host's).

    Columns as ``paradeops seat --format csv``: ``section``, ``row``,
    ``seat``, ``honour``, ``guest``, ``name``, ``title``, ``country``,
    ``country_name``, ``category``, ``delegation``, ``precedence`` (rank, 0 =
    most senior; ``<NA>`` for an interpreter) and ``interpreter_for``. ``attrs``
    holds ``status``, ``gap``, ``cost``, ``bound``.
    """
    from paradeops.protocol.tribunes import Layout, layout
    from paradeops.reports.seating_chart import CSV_COLUMNS, seating_rows

    pd = pandas()
    lay = tribunes if isinstance(tribunes, Layout) else layout(tribunes)
    rows = [
        {
            **row,
            "precedence": None if row["precedence"] == "" else row["precedence"],
            "title": row["title"] or None,
            "interpreter_for": row["interpreter_for"] or None,
        }
        for row in seating_rows(book, seating, lay)
    ]
    ints = ["row", "seat", "honour", "precedence"]
    frame = _frame(pd, rows, list(CSV_COLUMNS), ints=ints)
    frame.attrs.update(
        status=seating.status, gap=seating.gap, cost=seating.objective, bound=seating.bound
    )
    return frame


def comparison_frame(cmp: Comparison) -> pd.DataFrame:
    """Counts, one column per parade (its name; the date added if names repeat).

    The index has two levels, ``what`` and ``name``: ``("total", …)`` rows
    for ``personnel``, ``vehicles``, ``aircraft``, ``floats``, ``units``, then
    ``("class", …)`` rows for every vehicle or aircraft class of the catalogue,
    in the order the parades first list them (``frame.loc["class"]``: the
    counts by class). A class a parade lacks counts 0. ``attrs`` holds
    ``ratios`` (the CLI's sentences) and ``debuts`` (column → models).
    """
    pd = pandas()
    names = [p.name for p in cmp.parades]
    columns = [
        f"{p.name} ({p.date.isoformat()})" if names.count(p.name) > 1 else p.name
        for p in cmp.parades
    ]
    classes: list[str] = []
    for p in cmp.parades:
        classes += [c for c in p.by_class if c not in classes]
    totals = ("personnel", "vehicles", "aircraft", "floats", "units")
    data = {
        col: [*(getattr(p, t) for t in totals), *(p.by_class.get(c, 0) for c in classes)]
        for col, p in zip(columns, cmp.parades, strict=True)
    }
    keys = [*(("total", t) for t in totals), *(("class", c) for c in classes)]
    index = pd.MultiIndex.from_tuples(keys, names=["what", "name"])
    frame = pd.DataFrame(data, index=index, columns=columns).astype("int64")
    frame.attrs.update(
        ratios=[r.text() for r in cmp.ratios],
        debuts={col: list(p.debuts) for col, p in zip(columns, cmp.parades, strict=True)},
    )
    return frame


def _frame(
    pd: Any,
    rows: Sequence[dict[str, Any]],
    columns: list[str],
    *,
    ints: Sequence[str] = (),
    floats: Sequence[str] = (),
    bools: Sequence[str] = (),
) -> pd.DataFrame:
    """A frame with the same columns and dtypes whether or not there are rows.

    Text columns are pandas' string dtype, whole numbers nullable ``Int64``
    (so a missing rank is ``<NA>``, not a float), measures ``float64``.
    """
    frame = pd.DataFrame(list(rows), columns=columns)
    dtypes = {c: "string" for c in columns if c not in {*ints, *floats, *bools}}
    dtypes |= {c: "Int64" for c in ints} | {c: "float64" for c in floats}
    dtypes |= {c: "bool" for c in bools}
    return frame.astype(dtypes)


def _clock(pd: Any, s: Schedule, seconds: pd.Series) -> pd.Series:
    """Seconds from ``s.reference`` as Timestamps in the parade's zone (NaN → NaT).

    Rounded to the millisecond: the engine's sums leave float noise below it,
    and one unit for every column keeps the dtypes equal.
    """
    reference = pd.Timestamp(s.reference).tz_convert("UTC")
    utc = reference + pd.to_timedelta(seconds, unit="s")
    return utc.dt.round("ms").dt.as_unit("ms").dt.tz_convert(s.reference.tzinfo)
