"""The occupancy of each assembly area over time, against its capacity (``staging --chart``).

One panel per area, one above the other on one clock: the room in use as a
step line (filled), the capacity as a dashed line, the stretches over it in
red, and the time the area opens as a dotted line.
"""

from __future__ import annotations

import io
from typing import Literal

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from paradeops.model.clock import offset_text
from paradeops.reports.fonts import use_chart_fonts
from paradeops.staging.core import AreaUse, Staging

__all__ = ["staging_chart", "staging_figure"]

DPI = 120


def staging_chart(s: Staging, fmt: Literal["png", "svg"] = "png") -> bytes:
    """The chart as PNG or SVG bytes (reproducible: no date in the file)."""
    fig = staging_figure(s)
    buf = io.BytesIO()
    meta = {"Software": "paradeops"} if fmt == "png" else {"Date": None}
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "paradeops"}):
        fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta)
    return buf.getvalue()


def staging_figure(s: Staging) -> Figure:
    """The figure :func:`staging_chart` saves."""
    use_chart_fonts()
    areas = s.areas
    fig = Figure(figsize=(10.0, 1.0 + 2.2 * len(areas)), layout="constrained", dpi=DPI)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(areas), 1, sharex=True, squeeze=False)[:, 0]
    lo, hi = _span(s)
    for ax, area in zip(axes, areas, strict=True):
        _panel(ax, area, lo, hi)
    _time_axis(axes[-1], s, hi - lo)
    axes[-1].set_xlabel(f"time ({getattr(s.schedule.reference.tzinfo, 'key', 'local')})")
    fig.suptitle(f"{s.schedule.parade}: assembly areas in use", fontsize=10, x=0.01, ha="left")
    return fig


def _time_axis(ax: Axes, s: Staging, span_s: float) -> None:
    """Ticks on whole clock times of the reference's wall clock (as the movement graph's)."""
    want = span_s / 10
    step = next((float(t) for t in (60, 300, 600, 900, 1800, 3600, 7200) if t >= want), 14400.0)
    ref = s.schedule.reference
    past = ref.hour * 3600 + ref.minute * 60 + ref.second + ref.microsecond / 1e6
    ax.xaxis.set_major_locator(MultipleLocator(step, offset=-(past % step)))
    # Each tick's own wall clock: on a daylight-saving day its offset is shown.
    ax.xaxis.set_major_formatter(FuncFormatter(lambda t, _: _tick(s, t)))


def _tick(s: Staging, seconds: float) -> str:
    moment = s.schedule.clock(seconds)
    same = moment.utcoffset() == s.schedule.reference.utcoffset()
    return f"{moment:%H:%M}" if same else f"{moment:%H:%M}\n{offset_text(moment)}"


def _span(s: Staging) -> tuple[float, float]:
    times = [t for a in s.areas for t in a.times] + [
        a.opens for a in s.areas if a.opens is not None
    ]
    if not times:
        return -3600.0, 0.0
    lo, hi = min(times), max(times)
    pad = max(60.0, 0.03 * (hi - lo))
    return lo - pad, hi + pad


def _panel(ax: Axes, area: AreaUse, lo: float, hi: float) -> None:
    xs = [lo, *area.times, hi]
    ys = [0.0, *area.used, 0.0]
    ax.step(xs, ys, where="post", color="tab:blue", linewidth=1.2)
    ax.fill_between(xs, ys, step="post", color="tab:blue", alpha=0.25, label="in use")
    # Each step over the capacity as its own block (fill_between's `where`
    # drops a lone step: it needs two neighbouring points to fill between).
    label = "over capacity"
    for k in range(len(ys) - 1):
        if ys[k] > area.capacity + 1e-9:
            ax.fill_between([xs[k], xs[k + 1]], area.capacity, ys[k], color="tab:red",
                            alpha=0.7, linewidth=0, label=label)  # fmt: skip
            label = "_nolegend_"
    ax.axhline(area.capacity, color="black", linestyle="--", linewidth=1.0,
               label=f"capacity {area.capacity:g} {area.measure}")  # fmt: skip
    if area.opens is not None:
        ax.axvline(area.opens, color="grey", linestyle=":", linewidth=1.0, label="opens")
    ax.set_xlim(lo, hi)
    ax.set_ylim(0, max(area.capacity, area.peak) * 1.15)
    ax.set_ylabel(area.measure, fontsize=8)
    ax.set_title(f"{area.name} ({area.id}): peak {area.peak:.1f} {area.measure}",
                 fontsize=9, loc="left")  # fmt: skip
    ax.tick_params(labelsize=8)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
