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
from dataclasses import dataclass, replace
from typing import Literal, cast

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator
from matplotlib.transforms import blended_transform_factory

from paradeops.reports.chart_text import drop_colliding, text_quad
from paradeops.reports.fonts import use_chart_fonts
from paradeops.reports.schedule_table import hms, zone_note
from paradeops.timing.schedule import FloatArray, Schedule, UnitSchedule

__all__ = ["KIND_COLOURS", "PANEL_MAX_S", "FanLine", "movement_graph", "movement_graph_figure"]

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
LIMIT_COLOUR = "#F2E6B3"
WINDOW_COLOUR = "#08519C"
DPI = 150
LABEL_PT = 7.0  # the smallest text on the chart (fonts.MIN_PT)
#: A longer parade is drawn in several time panels, one above the other, so
#: the image stays printable: at IN_PER_MIN a panel is at most MAX_WIDTH_IN wide.
PANEL_MAX_S = 60 * 60.0
IN_PER_MIN = 0.32
MAX_WIDTH_IN = 16.0
NAME_CHARS = 24  # checkpoint names wrap onto a second line beyond this


def _band(u: UnitSchedule, top: float) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Times and head/tail positions of a unit's band, clipped to [0, top].

    The head curve is extended, at its last pace, until the tail has passed
    ``top``, so every band closes at the last checkpoint, and ends there. Breakpoints are
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
    # The unit leaves the graph when its tail passes the release point: the
    # engine's trajectory runs on beyond it, and clipped to the route that
    # would draw a flat line at the top, as if the unit were queued there.
    on_route = x <= top + u.length_m + 1e-9
    x, t_arr, t_dep = x[on_route], t_arr[on_route], t_dep[on_route]
    t = np.empty(2 * len(x))
    t[0::2], t[1::2] = t_arr, t_dep
    head = np.repeat(x, 2)
    return t, np.clip(head, 0.0, top), np.clip(head - u.length_m, 0.0, top)


def _darker(colour: str, f: float = 0.7) -> tuple[float, float, float]:
    r, g, b = mpl.colors.to_rgb(colour)
    return (r * f, g * f, b * f)


@dataclass(frozen=True)
class _Layout:
    """Sizes in inches: fixed before drawing, so label spacing computed from them holds."""

    width: float
    panel_h: float
    left: float
    right: float = 0.8
    top: float = 1.2
    bottom: float = 0.7
    gap: float = 0.75  # between panels: room for the upper panel's time axis
    panels: tuple[tuple[float, float], ...] = ()

    @property
    def height(self) -> float:
        n = len(self.panels)
        return self.top + n * self.panel_h + (n - 1) * self.gap + self.bottom


def _panels(lo: float, hi: float) -> tuple[tuple[float, float], ...]:
    """Equal time panels of at most PANEL_MAX_S, one above the other."""
    n = max(1, math.ceil((hi - lo) / PANEL_MAX_S - 1e-9))
    step = (hi - lo) / n
    return tuple((lo + i * step, lo + (i + 1) * step) for i in range(n))


def _layout(s: Schedule, lo: float, hi: float) -> _Layout:
    panels = _panels(lo, hi)
    span = panels[0][1] - panels[0][0]
    longest = max(len(line) for c in s.checkpoints for line in textwrap.wrap(c.name, NAME_CHARS))
    left = 0.35 + 0.075 * max(longest, 17)
    # A readable minute scale, within a printable width (A3 landscape is 16.5 in).
    plot_w = min(MAX_WIDTH_IN - left - 0.8, max(9.0, span / 60 * IN_PER_MIN))
    panel_h = min(9.0, max(5.5, 3.5 + 0.5 * len(s.checkpoints)))
    return _Layout(width=left + plot_w + 0.8, panel_h=panel_h, left=left, panels=panels)


def _tick_step(span_s: float, width_in: float) -> float:
    """A clock-friendly tick step giving about one tick per 0.8 inch."""
    want = span_s / max(1.0, width_in / 0.8)
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
    ax.tick_params(axis="x", labelsize=8)


def _route(ax: Axes, s: Schedule, top: float) -> None:
    for a, b, _ in s.speed_limits:
        # The legend gives each stretch's limit: text in the plot would sit on the bands.
        ax.axhspan(a, min(b, top), color=LIMIT_COLOUR, alpha=0.45, lw=0, zorder=0)
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
    metres.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))


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


def _labels(ax: Axes, fig: Figure, s: Schedule, top: float,
            short: dict[int, str]) -> list[Text]:
    """Units labelled along their bands just before the reviewing stand, where there is room.

    Labels run parallel to the bands; two neighbours are ``dx * sin(angle)``
    apart on screen, so a label is skipped when that is less than a text
    line — with 150 units that leaves every k-th band labelled. A label is
    the unit's name when the name fits along its band between the two
    checkpoints it is drawn between, else the id; a name shown is recorded
    in ``short`` with its id, for when it turns out to collide.
    """
    rev = s.reviewing
    above = [c.at_m for c in s.checkpoints if c.at_m > rev.at_m]
    below = [c.at_m for c in s.checkpoints if c.at_m < rev.at_m]
    # Below the stand (units approaching it): above it is kept for aircraft labels.
    span = (below[-1], rev.at_m) if below else (rev.at_m, above[0])
    y = sum(span) / 2
    measure = _TextWidth(fig)
    x0, x1 = ax.get_xlim()
    px_per_s, px_per_m = _pixels_per_unit(ax, fig)
    line_px = LABEL_PT * 1.3 * DPI / 72
    last_px = -math.inf
    dy = max(5.0, 0.05 * top)
    texts: list[Text] = []
    for u in s.units:
        tr = u.trajectory
        if tr is None:
            continue
        head, tail = float(tr.arrive(y)), float(tr.arrive(y + u.length_m))
        mid = (head + tail) / 2
        if not x0 <= mid <= x1:
            continue  # in another time panel
        dt_ = float(tr.leave(min(y + dy, top))) - float(tr.arrive(max(y - dy, 0.0)))
        ang = math.atan2(2 * dy * px_per_m, max(dt_, 1e-6) * px_per_s)
        if (mid * px_per_s - last_px) * math.sin(ang) < line_px:
            continue
        last_px = mid * px_per_s
        # Over a hatch, or spilling out of a narrow band, the label needs a backing.
        fits = (tail - head) * px_per_s * math.sin(ang) >= line_px and not u.debut
        # The band's length on screen between the two checkpoints, less a margin.
        room = (span[1] - span[0]) * px_per_m / max(math.sin(ang), 1e-6) - line_px
        named = bool(u.name) and u.name != u.id and measure(u.name, LABEL_PT) <= room
        label = _band_label(ax, mid, y, u.name if named else u.id, ang, backed=not fits)
        if named:
            short[id(label)] = u.id
        texts.append(label)
    return texts


def _pixels_per_unit(ax: Axes, fig: Figure) -> tuple[float, float]:
    """Pixels per second across and per metre up, in the panel ``ax``."""
    box = ax.get_position()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    return (
        box.width * fig.get_figwidth() * DPI / (x1 - x0),
        box.height * fig.get_figheight() * DPI / (y1 - y0),
    )


def _band_label(ax: Axes, x: float, y: float, text: str, angle: float, *, backed: bool) -> Text:
    """A label along a band at ``angle`` [rad]; ``backed``: on a white backing."""
    return ax.text(
        x,
        y,
        text,
        rotation=math.degrees(angle),
        rotation_mode="anchor",
        ha="center",
        va="center",
        fontsize=LABEL_PT,
        zorder=8,
        color="black",
        bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.75}
        if backed
        else None,
    )


class _TextWidth:
    """A text's width on the canvas [px], measured with a scratch text."""

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.renderer = cast(FigureCanvasAgg, fig.canvas).get_renderer()  # type: ignore[no-untyped-call]

    def __call__(self, text: str, size: float) -> float:
        t = self.fig.text(0, 0, text, fontsize=size)
        width = float(t.get_window_extent(self.renderer).width)
        t.remove()
        return width


def _aircraft(
    ax: Axes, s: Schedule, short: dict[int, str]
) -> tuple[dict[str, tuple[float, float]], list[Text]]:
    """A marker and a slanted label per flypast: its name, or its id if the name
    sticks out of the panel or collides (``short`` records the id)."""
    at = {c.id: c.at_m for c in s.checkpoints}
    where: dict[str, tuple[float, float]] = {}
    texts: list[Text] = []
    lo, hi = ax.get_xlim()
    for u in s.units:
        if u.trajectory is not None or not u.passes:
            continue
        p = u.passes[0]
        xy = (p.head, at.get(p.checkpoint, 0.0))
        where[u.id] = xy
        if not lo <= xy[0] <= hi:
            continue  # in another time panel
        ax.plot(*xy, marker="^", ms=11, color="#1F3A93", mec="white", mew=0.8, zorder=9)
        named = bool(u.name) and u.name != u.id
        label = ax.annotate(
            f"✈ {u.name if named else u.id}",
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
        if named:
            short[id(label)] = f"✈ {u.id}"
        texts.append(label)
    return where, texts


def _findings(
    ax: Axes, s: Schedule, aircraft: dict[str, tuple[float, float]]
) -> tuple[set[str], list[Text]]:
    """Marks for the findings; returns their kinds and the texts that name gaps."""
    rev = s.reviewing
    kinds: set[str] = set()
    texts: list[Text] = []
    for f in s.findings:
        if f.kind == "catch_up" and f.time is not None and f.position_m is not None:
            # A hold can start with the head past the end while the tail is still on the route.
            y = min(max(f.position_m, 0.0), s.checkpoints[-1].at_m)
            ax.plot(f.time, y, marker="X", ms=6, color=ALERT, mec="white", mew=0.5, zorder=10)
        elif f.kind == "gap" and f.time is not None:
            y = rev.at_m if f.position_m is None else f.position_m
            ax.plot(f.time, y, marker="|", ms=18, mew=2.2, color=ALERT, zorder=10)
            gap_label = ax.annotate(
                f"gap {f.amount:.0f} m" if f.amount is not None else "gap",
                (f.time, y),
                xytext=(0, -14),
                textcoords="offset points",
                ha="center",
                fontsize=7,
                color=ALERT,
                zorder=10,
                bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none"},
                annotation_clip=True,
            )
            texts.append(gap_label)
        elif f.kind == "flypast":
            xy = aircraft.get(f.unit)
            if xy is None and f.time is not None and f.position_m is not None:
                xy = (f.time, f.position_m)
            if xy is not None:
                ax.plot(*xy, marker="o", ms=22, mfc="none", mec=ALERT, mew=2.0, zorder=10)
        else:
            continue
        kinds.add(f.kind)
    return kinds, texts


def _window(ax: Axes, s: Schedule) -> list[Text]:
    """Shade the plan's named window at the reviewing stand; label it above the plot.

    Above the plot nothing else is drawn, so the label cannot sit on a band
    or a flypast label; it is anchored at the end of the visible part that
    is nearer the middle, so it stays over the plot.
    """
    if s.window_end is None:
        return []
    start = s.summary.reviewing_first_head
    late = s.summary.reviewing_last_tail > s.window_end
    colour = ALERT if late else WINDOW_COLOUR
    ax.axvspan(start, s.window_end, color="#9ECAE1", alpha=0.15, lw=0, zorder=0)
    ax.axvline(s.window_end, color=colour, lw=1.6 if late else 1.0, ls="-" if late else "--",
               zorder=5)  # fmt: skip
    lo, hi = ax.get_xlim()
    a, b = max(start, lo), min(s.window_end, hi)
    if a >= b:
        return []
    ends_here = s.window_end <= hi
    text = f"{s.window_name} {'until ' + hms(s, s.window_end) if ends_here else 'continues'}"
    left_half = (a + b) / 2 < (lo + hi) / 2
    top = blended_transform_factory(ax.transData, ax.transAxes)
    label = ax.text(
        a if left_half else b,
        1.005,
        text + (" ▸" if left_half else ""),
        transform=top,
        ha="left" if left_half else "right",
        va="bottom",
        fontsize=8,
        color=colour,
        fontweight="bold" if late else "normal",
        zorder=7,
        clip_on=False,
    )
    return [label]


def _fan(ax: Axes, s: Schedule, fan: Sequence[FanLine], top: float) -> None:
    kinds = {u.id: u.kind for u in s.units}
    for unit_id, times, positions in fan:
        t = np.atleast_2d(np.asarray(times, dtype=float))
        x = np.asarray(positions, dtype=float)
        # As the bands: a run leaves the graph at the release point.
        on_route = (x >= 0.0) & (x <= top)
        segs = [np.column_stack((run[on_route], x[on_route])) for run in t]
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


def _legend(
    fig: Figure, s: Schedule, findings: set[str], layout: _Layout, runs: int | None
) -> None:
    """Rows between the title and the plot: inside, the legend would hide bands."""
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
    for a, b, v in s.speed_limits:
        label = f"≤ {v * 3.6:.0f} km/h, {a:.0f}–{b:.0f} m"
        handles.append(Patch(facecolor=LIMIT_COLOUR, alpha=0.45, label=label))
    if runs is not None:
        handles.append(Line2D([], [], color="#444444", lw=0.8, label=f"simulated run (×{runs})"))
    handles.append(Patch(facecolor="none", edgecolor="none", label="band: head (upper) to tail"))
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(layout.left / layout.width, 1 - 0.62 / layout.height),
        fontsize=8,
        frameon=False,
        ncol=_legend_columns(handles, layout),
        handlelength=1.5,
        columnspacing=1.2,
        borderaxespad=0.0,
    )


def _legend_columns(handles: Sequence[Patch | Line2D], layout: _Layout) -> int:
    """As many columns as fit the plot's width, judged by the longest label."""
    longest = max(len(str(h.get_label())) for h in handles)
    item_in = 0.36 + longest * 0.075  # handle, gap and 8 pt characters
    fit = int((layout.width - layout.left - layout.right) // item_in)
    return max(1, min(len(handles), fit))


def _legend_rows(s: Schedule, runs: int | None) -> int:
    """Rows the legend can take (an upper bound, for the top margin)."""
    items = len({u.kind for u in s.units}) + 5 + len(s.speed_limits) + (runs is not None)
    return max(1, math.ceil(items / 5))


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
    runs: int | None = None,
) -> bytes:
    """Render the movement graph of ``s`` as PNG (150 dpi) or SVG bytes.

    ``fan`` overlays simulated runs (Monte Carlo) on the planned bands: a
    sequence of ``(unit_id, times, positions)`` where ``positions`` is an
    array of ``n`` route positions [m] and ``times`` a ``(runs, n)`` array of
    the seconds (from the reference) at which the unit's head reached them in
    each run. Each run is drawn as a thin translucent line in the unit's kind
    colour, so the spread of the fan shows the timing risk; the chart is
    then titled a fan chart and its legend counts the ``runs``.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt must be 'png' or 'svg', not {fmt!r}")
    fig = movement_graph_figure(s, fan=fan, runs=runs)
    buf = io.BytesIO()
    # Real <text> in SVG (not glyph outlines), so names are searchable and small.
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "paradeops"}):
        fig.savefig(buf, format=fmt, dpi=DPI, metadata={"Date": None} if fmt == "svg" else None)
    return buf.getvalue()


def movement_graph_figure(
    s: Schedule, *, fan: Sequence[FanLine] | None = None, runs: int | None = None
) -> Figure:
    """The figure :func:`movement_graph` saves: one time panel per PANEL_MAX_S."""
    use_chart_fonts()
    top = s.checkpoints[-1].at_m
    lo, hi = _time_span(s)
    layout = _layout(s, lo, hi)
    layout = replace(layout, top=0.75 + 0.22 * _legend_rows(s, runs if fan else None))
    fig = Figure(figsize=(layout.width, layout.height), dpi=DPI)
    FigureCanvasAgg(fig)
    _titles(fig, s, layout, fan_runs=runs if fan else None, top=top)
    optional: list[Text] = []
    in_panel: list[Text] = []  # labels that must not stick out of their panel
    found: set[str] = set()
    short: dict[int, str] = {}  # a label showing a name: the id, if the name does not fit
    for i, (a, b) in enumerate(layout.panels):
        ax = _panel_axes(fig, layout, i)
        ax.set_xlim(a, b)
        # Headroom above the last checkpoint for the flypast labels.
        ax.set_ylim(-0.02 * top, top * 1.09)
        _time_axis(ax, s, b - a, layout.width - layout.left - layout.right)
        if i == len(layout.panels) - 1:
            # Date, zone and offset, and the change of offset on a daylight-saving day.
            ax.set_xlabel(f"time ({zone_note(s)})", fontsize=9)
        ax.grid(axis="x", which="major", color="#DDDDDD", lw=0.6, zorder=0)
        ax.grid(axis="x", which="minor", color="#F0F0F0", lw=0.4, zorder=0)
        ax.set_axisbelow(True)
        ax.spines["top"].set_visible(False)
        _route(ax, s, top)
        _window(ax, s)
        _bands(ax, s, top)
        unit_labels = _labels(ax, fig, s, top, short)
        where, aircraft_labels = _aircraft(ax, s, short)
        kinds, gap_labels = _findings(ax, s, where)
        found |= kinds
        if fan:
            _fan(ax, s, fan, top)
        optional += aircraft_labels + gap_labels + unit_labels
        in_panel += unit_labels
    _legend(fig, s, found, layout, runs if fan else None)
    _hide_colliding_labels(fig, optional, in_panel, short)
    return fig


def _panel_axes(fig: Figure, layout: _Layout, i: int) -> Axes:
    w, h = layout.width, layout.height
    y0 = layout.bottom + (len(layout.panels) - 1 - i) * (layout.panel_h + layout.gap)
    plot_w = w - layout.left - layout.right
    return fig.add_axes((layout.left / w, y0 / h, plot_w / w, layout.panel_h / h))


def _titles(fig: Figure, s: Schedule, layout: _Layout, *, fan_runs: int | None,
            top: float) -> None:  # fmt: skip
    sm = s.summary
    what = (
        f"fan chart: {fan_runs} simulated runs over the plan" if fan_runs is not None
        else "movement graph"
    )
    x = layout.left / layout.width
    fig.text(x, 1 - 0.12 / layout.height, f"{s.parade} — {what}", ha="left", va="top",
             fontsize=12, fontweight="bold")  # fmt: skip
    panels = len(layout.panels)
    fig.text(
        x,
        1 - 0.4 / layout.height,
        f"{hms(s, sm.first_head)} first head – {hms(s, sm.last_tail)} last tail"
        f" · {len(s.units)} units · {top:.0f} m route"
        + (f" · {panels} time panels, top to bottom" if panels > 1 else ""),
        ha="left",
        va="top",
        fontsize=8.5,
        color="#444444",
    )


def _hide_colliding_labels(
    fig: Figure, optional: list[Text], in_panel: list[Text], short: dict[int, str]
) -> None:
    """Shorten, then hide, the labels (flypasts first, then gaps, then units) that would overlap.

    Spacing rules place them apart from their neighbours of the same kind;
    this catches the rest (a gap note on a unit label), against every fixed
    text. A name that sticks out of its panel or collides gives way to the
    id (``short``); an ``in_panel`` label still cut by its panel's edge is
    hidden: a unit near a panel's edge is labelled in the panel where its
    label fits, or not.
    """
    # Ticks and their labels exist only once the figure has been drawn.
    fig.draw_without_rendering()
    renderer = cast(FigureCanvasAgg, fig.canvas).get_renderer()  # type: ignore[no-untyped-call]

    def inside(t: Text) -> bool:
        box = t.axes.get_window_extent(renderer) if t.axes is not None else None
        quad = text_quad(t, renderer)
        return box is None or (
            box.x0 <= quad[:, 0].min() and quad[:, 0].max() <= box.x1
            and box.y0 <= quad[:, 1].min() and quad[:, 1].max() <= box.y1
        )  # fmt: skip

    for t in optional:
        if id(t) in short and not inside(t):
            t.set_text(short.pop(id(t)))
    for t in in_panel:
        if not inside(t):
            t.set_visible(False)
    optional = [t for t in optional if t.get_visible()]
    ids = {id(t) for t in optional}
    fixed = [t for t in fig.findobj(Text) if id(t) not in ids]
    drop_colliding(fixed, optional, renderer, short=short)
