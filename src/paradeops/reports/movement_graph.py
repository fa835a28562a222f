"""The movement graph (time–distance diagram) of a schedule, as PNG or SVG.

Drawn as in US Army FM 55-10, appendix E: time runs across, distance along
the route runs up, and each ground unit is a band between its head and its
tail, so a band's width in time at a checkpoint is the unit's pass time, its
slope is its speed, a flat step is a halt, and two bands touching is a
follower held back. Uses ``matplotlib.figure.Figure`` with the Agg canvas
directly (no pyplot): no global figure state, safe in a web server's threads.
"""

from __future__ import annotations

import io
import math
import textwrap
from collections.abc import Sequence
from typing import Literal

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MultipleLocator
from matplotlib.transforms import blended_transform_factory

from paradeops.reports.schedule_table import hms, zone_note
from paradeops.timing.schedule import FloatArray, Schedule, UnitSchedule

__all__ = ["KIND_COLOURS", "FanLine", "movement_graph"]

#: One Monte Carlo fan per unit: (unit id, times[runs, n_points], positions[n_points]).
FanLine = tuple[str, np.ndarray, np.ndarray]

KIND_COLOURS = {
    "foot": "#4C78A8",
    "band": "#B279A2",
    "mounted": "#9D755D",
    "vehicles": "#54A24B",
    "float": "#F58518",
}
OTHER_COLOUR = "#8C8C8C"
REVIEW_COLOUR = "#C8102E"
ALERT = "#D62728"
DPI = 150
LABEL_PT = 6.5
NAME_CHARS = 24  # checkpoint names wrap onto a second line beyond this


def _band(u: UnitSchedule, top: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Times and head/tail positions of a unit's band, clipped to [0, top].

    The head curve is extended, at its last pace, until the tail has passed
    ``top``, so every band closes at the last checkpoint. Breakpoints are
    added where the head reaches ``length``, ``top`` and ``top + length``:
    there the clipped head or tail bends, and clipping only the existing
    vertices would cut corners off the band.
    """
    tr = u.trajectory
    assert tr is not None
    bends = np.array([u.length_m, top, top + u.length_m])
    extra = bends[(bends > tr.x[0]) & ~np.isin(bends, tr.x)]
    x = np.concatenate((tr.x, extra))
    t_arr = np.concatenate((tr.t_left, tr.arrive(extra)))
    t_dep = np.concatenate((tr.t_right, tr.arrive(extra)))
    order = np.argsort(x, kind="stable")
    x, t_arr, t_dep = x[order], t_arr[order], t_dep[order]
    t = np.empty(2 * len(x))
    t[0::2], t[1::2] = t_arr, t_dep
    head = np.repeat(x, 2)
    return t, np.clip(head, 0.0, top), np.clip(head - u.length_m, 0.0, top)


def _darker(colour: str, f: float = 0.7) -> tuple[float, float, float]:
    r, g, b = mpl.colors.to_rgb(colour)
    return (r * f, g * f, b * f)


def _fig_size(s: Schedule, span_s: float) -> tuple[float, float]:
    ground = sum(u.trajectory is not None for u in s.units)
    # Wide enough for about one label line per unit at the reviewing stand,
    # and for a readable minute scale; capped so the PNG stays printable.
    width = min(48.0, max(12.0, span_s / 60 * 0.22, ground * 0.13 + 4))
    # Taller for long parades too, or the bands flatten into hairlines.
    height = min(14.0, max(7.0, 5.0 + 0.5 * len(s.checkpoints), width * 0.3))
    return width, height


def _tick_step(span_s: float, width_in: float) -> float:
    """A clock-friendly tick step giving about one tick per 0.7 inch."""
    want = span_s / max(1.0, width_in / 0.7)
    for step in (60, 120, 300, 600, 900, 1800, 3600, 7200):
        if step >= want:
            return float(step)
    return 14400.0


def _time_axis(ax: Axes, s: Schedule, span_s: float, width_in: float) -> None:
    step = _tick_step(span_s, width_in)
    ref = s.reference
    # The reference's time of day on its wall clock (not an elapsed time,
    # which differs on a daylight-saving day).
    past = ref.hour * 3600 + ref.minute * 60 + ref.second + ref.microsecond / 1e6
    # Ticks on whole clock minutes even if the reference time is not.
    ax.xaxis.set_major_locator(MultipleLocator(step, offset=-(past % step)))
    ax.xaxis.set_minor_locator(MultipleLocator(60.0, offset=-(past % 60)))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: s.clock(t).strftime("%H:%M")))
    # Date, zone and offset, and the change of offset on a daylight-saving day.
    ax.set_xlabel(f"time ({zone_note(s)})")


def _route(ax: Axes, s: Schedule, top: float) -> None:
    left = blended_transform_factory(ax.transAxes, ax.transData)
    right_edge = 0.995
    for a, b, v in s.speed_limits:
        ax.axhspan(a, min(b, top), color="#F2E6B3", alpha=0.45, lw=0, zorder=0)
        ax.text(
            right_edge,
            (a + min(b, top)) / 2,
            f"≤ {v * 3.6:.0f} km/h",
            transform=left,
            ha="right",
            va="center",
            fontsize=7,
            color="#8A6D00",
            zorder=6,
        )
    # Checkpoints name the distance axis itself (as on an FM 55-10 graph):
    # nothing inside the plot competes with the bands; metres go on the right.
    names = []
    for c in s.checkpoints:
        name = textwrap.fill(c.name, NAME_CHARS)
        if c.reviewing:
            ax.axhline(c.at_m, color=REVIEW_COLOUR, lw=2.0, zorder=4)
            names.append(f"{name}\n(reviewing stand)")
        else:
            ax.axhline(c.at_m, color="#555555", lw=0.7, ls="--", zorder=4)
            names.append(name)
    ax.set_yticks([c.at_m for c in s.checkpoints], names, fontsize=8, linespacing=1.0)
    for c, tick in zip(s.checkpoints, ax.get_yticklabels(), strict=True):
        if c.reviewing:
            tick.set_color(REVIEW_COLOUR)
            tick.set_fontweight("bold")
    metres = ax.secondary_yaxis("right")
    metres.set_ylabel("distance from start point [m]", fontsize=8)
    metres.tick_params(labelsize=7.5)


def _bands(ax: Axes, s: Schedule, top: float) -> None:
    for u in s.units:
        if u.trajectory is None:
            continue
        t, head, tail = _band(u, top)
        colour = KIND_COLOURS.get(u.kind, OTHER_COLOUR)
        # The edge in a darker shade keeps a short unit (a colour guard of a
        # few metres) visible as a line where its fill would be a hairline.
        ax.fill_between(
            t, tail, head, facecolor=colour, alpha=0.8, lw=0.5, edgecolor=_darker(colour), zorder=2
        )
        if u.debut:
            ax.fill_between(
                t, tail, head, facecolor="none", hatch="////", lw=0.0, edgecolor="#222222", zorder=3
            )


def _labels(ax: Axes, fig: Figure, s: Schedule, top: float) -> None:
    """Unit ids along their bands just before the reviewing stand, where there is room.

    Labels run parallel to the bands; two neighbours are ``dx * sin(angle)``
    apart on screen, so a label is skipped when that is less than a text
    line — with 150 units that leaves every k-th band labelled.
    """
    rev = s.reviewing
    above = [c.at_m for c in s.checkpoints if c.at_m > rev.at_m]
    below = [c.at_m for c in s.checkpoints if c.at_m < rev.at_m]
    # Below the stand (units approaching it): above it is kept for aircraft labels.
    y = (rev.at_m + below[-1]) / 2 if below else (rev.at_m + above[0]) / 2
    box = ax.get_position()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    px_per_s = box.width * fig.get_figwidth() * DPI / (x1 - x0)
    px_per_m = box.height * fig.get_figheight() * DPI / (y1 - y0)
    line_px = LABEL_PT * 1.3 * DPI / 72
    last_px = -math.inf
    dy = max(5.0, 0.05 * top)
    for u in s.units:
        tr = u.trajectory
        if tr is None:
            continue
        head, tail = float(tr.arrive(y)), float(tr.arrive(y + u.length_m))
        mid = (head + tail) / 2
        dt_ = float(tr.leave(min(y + dy, top))) - float(tr.arrive(max(y - dy, 0.0)))
        ang = math.atan2(2 * dy * px_per_m, max(dt_, 1e-6) * px_per_s)
        if (mid * px_per_s - last_px) * math.sin(ang) < line_px:
            continue
        last_px = mid * px_per_s
        # Over a hatch, or spilling out of a narrow band, the id needs a backing.
        fits = (tail - head) * px_per_s * math.sin(ang) >= line_px and not u.debut
        ax.text(
            mid,
            y,
            u.id,
            rotation=math.degrees(ang),
            rotation_mode="anchor",
            ha="center",
            va="center",
            fontsize=LABEL_PT,
            zorder=8,
            color="black",
            bbox=None
            if fits
            else {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75},
        )


def _aircraft(ax: Axes, s: Schedule) -> dict[str, tuple[float, float]]:
    at = {c.id: c.at_m for c in s.checkpoints}
    where: dict[str, tuple[float, float]] = {}
    for u in s.units:
        if u.trajectory is not None or not u.passes:
            continue
        p = u.passes[0]
        xy = (p.head, at.get(p.checkpoint, 0.0))
        where[u.id] = xy
        ax.plot(*xy, marker="^", ms=11, color="#1F3A93", mec="white", mew=0.8, zorder=9)
        ax.annotate(
            f"✈ {u.id}",
            xy,
            xytext=(0, 9),
            textcoords="offset points",
            # Flypasts come a minute apart: slanted labels do not collide.
            rotation=60,
            rotation_mode="anchor",
            ha="left",
            va="center",
            fontsize=7.5,
            color="#1F3A93",
            fontweight="bold",
            zorder=9,
            bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
        )
    return where


def _findings(ax: Axes, s: Schedule, aircraft: dict[str, tuple[float, float]]) -> set[str]:
    rev = s.reviewing
    kinds: set[str] = set()
    for f in s.findings:
        if f.kind == "catch_up" and f.time is not None and f.position_m is not None:
            # A hold can start with the head past the end while the tail is still on the route.
            y = min(max(f.position_m, 0.0), s.checkpoints[-1].at_m)
            ax.plot(f.time, y, marker="X", ms=6, color=ALERT, mec="white", mew=0.5, zorder=10)
        elif f.kind == "gap" and f.time is not None:
            y = rev.at_m if f.position_m is None else f.position_m
            ax.plot(f.time, y, marker="|", ms=18, mew=2.2, color=ALERT, zorder=10)
            ax.annotate(
                f"gap {f.amount:.0f} m" if f.amount is not None else "gap",
                (f.time, y),
                xytext=(0, -14),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color=ALERT,
                zorder=10,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
            )
        elif f.kind == "flypast":
            xy = aircraft.get(f.unit)
            if xy is None and f.time is not None and f.position_m is not None:
                xy = (f.time, f.position_m)
            if xy is not None:
                ax.plot(*xy, marker="o", ms=22, mfc="none", mec=ALERT, mew=2.0, zorder=10)
        else:
            continue
        kinds.add(f.kind)
    return kinds


def _window(ax: Axes, s: Schedule) -> None:
    if s.window_end is None:
        return
    start = s.summary.reviewing_first_head
    late = s.summary.reviewing_last_tail > s.window_end
    top = blended_transform_factory(ax.transData, ax.transAxes)
    ax.axvspan(start, s.window_end, color="#9ECAE1", alpha=0.15, lw=0, zorder=0)
    ax.text(
        (start + s.window_end) / 2,
        0.995,
        "broadcast window",
        transform=top,
        ha="center",
        va="top",
        fontsize=8,
        color="#08519C",
        zorder=7,
    )
    ax.axvline(
        s.window_end,
        color=ALERT if late else "#08519C",
        lw=1.6 if late else 1.0,
        ls="-" if late else "--",
        zorder=5,
    )
    ax.text(
        s.window_end,
        0.995,
        f" window end {hms(s, s.window_end)}",
        transform=top,
        ha="left",
        va="top",
        fontsize=7.5,
        zorder=7,
        color=ALERT if late else "#08519C",
        fontweight="bold" if late else "normal",
    )


def _fan(ax: Axes, s: Schedule, fan: Sequence[FanLine], top: float) -> None:
    kinds = {u.id: u.kind for u in s.units}
    for unit_id, times, positions in fan:
        t = np.atleast_2d(np.asarray(times, dtype=float))
        x = np.clip(np.asarray(positions, dtype=float), 0.0, top)
        segs = [np.column_stack((run, x)) for run in t]
        colour = KIND_COLOURS.get(kinds.get(unit_id, ""), OTHER_COLOUR)
        ax.add_collection(
            LineCollection(
                segs,
                colors=colour,
                linewidths=0.4,
                alpha=max(0.04, min(0.5, 3.0 / len(segs))),
                zorder=6,
            )
        )


def _legend(fig: Figure, ax: Axes, s: Schedule, findings: set[str]) -> None:
    """One row between the title and the plot: inside, it would hide bands."""
    present = dict.fromkeys(u.kind for u in s.units if u.trajectory is not None)
    handles: list[Patch | Line2D] = [
        Patch(facecolor=KIND_COLOURS.get(k, OTHER_COLOUR), alpha=0.75, label=k) for k in present
    ]
    if any(u.debut for u in s.units):
        handles.append(Patch(facecolor="white", hatch="////", edgecolor="black", label="debut"))
    if any(u.trajectory is None for u in s.units):
        handles.append(Line2D([], [], ls="", marker="^", ms=8, color="#1F3A93", label="aircraft"))
    marks = {
        "catch_up": Line2D([], [], ls="", marker="X", color=ALERT, label="held behind unit ahead"),
        "gap": Line2D([], [], ls="", marker="|", ms=10, mew=2, color=ALERT, label="gap opens"),
        "flypast": Line2D(
            [], [], ls="", marker="o", mfc="none", mec=ALERT, mew=1.5, label="flypast conflict"
        ),
    }
    handles += [m for k, m in marks.items() if k in findings]
    box = ax.get_position()
    handles.append(Patch(facecolor="none", edgecolor="none", label="band: head (upper) to tail"))
    fig.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(box.x0, box.y1 + 0.02 / fig.get_figheight()),
        fontsize=8,
        frameon=False,
        ncol=len(handles),
        handlelength=1.5,
        columnspacing=1.2,
        borderaxespad=0.0,
    )


def _time_span(s: Schedule) -> tuple[float, float]:
    starts = [u.step_off for u in s.units if u.trajectory is not None]
    ends = [p.tail for u in s.units for p in u.passes] + [p.head for u in s.units for p in u.passes]
    lo, hi = min(starts + ends), max(ends)
    if s.window_end is not None:
        hi = max(hi, s.window_end)
    pad = max(60.0, 0.02 * (hi - lo))
    return lo - pad, hi + pad


def movement_graph(
    s: Schedule,
    fmt: Literal["png", "svg"],
    *,
    fan: Sequence[FanLine] | None = None,
) -> bytes:
    """Render the movement graph of ``s`` as PNG (150 dpi) or SVG bytes.

    ``fan`` overlays simulated runs (Monte Carlo) on the planned bands: a
    sequence of ``(unit_id, times, positions)`` where ``positions`` is an
    array of ``n`` route positions [m] and ``times`` a ``(runs, n)`` array of
    the seconds (from the reference) at which the unit's head reached them in
    each run. Each run is drawn as a thin translucent line in the unit's kind
    colour, so the spread of the fan shows the timing risk.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt must be 'png' or 'svg', not {fmt!r}")
    top = s.checkpoints[-1].at_m
    lo, hi = _time_span(s)
    w, h = _fig_size(s, hi - lo)
    fig = Figure(figsize=(w, h), dpi=DPI)
    FigureCanvasAgg(fig)
    # Fixed margins in inches, so label spacing computed before drawing holds.
    longest = max(len(line) for c in s.checkpoints for line in textwrap.wrap(c.name, NAME_CHARS))
    ml, mr, mb, mt = 0.35 + 0.075 * max(longest, 17), 0.75, 0.65, 0.85
    ax = fig.add_axes((ml / w, mb / h, 1 - (ml + mr) / w, 1 - (mb + mt) / h))
    ax.set_xlim(lo, hi)
    # Headroom above the last checkpoint for the window labels.
    ax.set_ylim(-0.02 * top, top * 1.09)
    ax.set_title(f"{s.parade} — movement graph", loc="left", fontsize=12, fontweight="bold", pad=22)
    sm = s.summary
    ax.set_title(
        f"{hms(s, sm.first_head)} first head – {hms(s, sm.last_tail)}"
        f" last tail · {len(s.units)} units · {top:.0f} m route",
        loc="right",
        fontsize=8.5,
        color="#444444",
        pad=22,
    )
    _time_axis(ax, s, hi - lo, w)
    ax.grid(axis="x", which="major", color="#DDDDDD", lw=0.6, zorder=0)
    ax.grid(axis="x", which="minor", color="#F0F0F0", lw=0.4, zorder=0)
    ax.set_axisbelow(True)
    for side in ("top",):
        ax.spines[side].set_visible(False)
    _route(ax, s, top)
    _window(ax, s)
    _bands(ax, s, top)
    _labels(ax, fig, s, top)
    found = _findings(ax, s, _aircraft(ax, s))
    if fan:
        _fan(ax, s, fan, top)
    _legend(fig, ax, s, found)
    buf = io.BytesIO()
    # Real <text> in SVG (not glyph outlines), so names are searchable and small.
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "paradeops"}):
        fig.savefig(buf, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()
