"""Bar chart of parades' composition: vehicles and aircraft by class, side by side."""

from __future__ import annotations

import io
from typing import Literal

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from paradeops.composition.compose import Comparison
from paradeops.reports.fonts import use_chart_fonts

DPI = 120


def composition_chart(cmp: Comparison, fmt: Literal["png", "svg"] = "png") -> bytes:
    """Grouped bars: one group per class, one bar per parade (in the order given)."""
    fig = composition_figure(cmp)
    buf = io.BytesIO()
    meta = {"Software": "paradeops"} if fmt == "png" else {"Date": None}
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": "paradeops"}):
        fig.savefig(buf, format=fmt, dpi=DPI, metadata=meta)
    return buf.getvalue()


def composition_figure(cmp: Comparison) -> Figure:
    """The figure :func:`composition_chart` saves."""
    use_chart_fonts()
    classes = _classes(cmp)
    n = len(cmp.parades)
    width = 0.8 / max(n, 1)
    fig = Figure(figsize=(min(16.0, max(6.5, 0.45 * n * len(classes) + 2.5)), 5.0),
                 layout="constrained", dpi=DPI)  # fmt: skip
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    for i, p in enumerate(cmp.parades):
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(classes))]
        ys = [p.by_class.get(c, 0) for c in classes]
        bars = ax.bar(xs, ys, width * 0.95, label=f"{p.name} ({p.vehicles} vehicles)")
        # Counts above the bars, upright only where they fit side by side.
        ax.bar_label(bars, fontsize=7, padding=1, rotation=90 if n > 1 else 0)
    # Class names slanted: each sits under its own group, clear of its neighbours.
    ax.set_xticks(range(len(classes)), classes, rotation=35, ha="right",
                  rotation_mode="anchor", fontsize=8)  # fmt: skip
    ax.set_ylabel("vehicles / aircraft", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.margins(y=0.15)  # room for the counts above the tallest bar
    ax.set_title(_title(cmp), fontsize=10, loc="left", wrap=True)
    ax.legend(fontsize=8, loc="upper right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _classes(cmp: Comparison) -> list[str]:
    """Every class of every parade, the largest first."""
    classes: list[str] = []
    for p in cmp.parades:
        for c in p.by_class:
            if c not in classes:
                classes.append(c)
    classes.sort(key=lambda c: -max(p.by_class.get(c, 0) for p in cmp.parades))
    return classes


def _title(cmp: Comparison) -> str:
    title = "Composition by class"
    if cmp.ratios:
        title += ":\n" + "\n".join(r.text() for r in cmp.ratios)
    return title
