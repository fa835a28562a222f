"""Readability checks for a drawn chart, from matplotlib's rendered text extents.

A slanted label is checked as the rotated rectangle its glyphs fill (its
axis-aligned extent would overlap its parallel neighbours without touching
them); the overlap test is matplotlib's own path intersection.
"""

from __future__ import annotations

from itertools import combinations

from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.path import Path
from matplotlib.text import Text

from paradeops.reports.chart_text import text_quad

MIN_PT = 7.0
MAX_WIDTH_IN = 420 / 25.4  # A3 landscape, 420 mm


def visible_texts(fig: Figure) -> list[Text]:
    """The texts drawn: matplotlib keeps tick labels beyond the view, undrawn."""
    undrawn = {id(label) for label in _ticks_out_of_view(fig)}
    return [t for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip() and id(t) not in undrawn]  # fmt: skip


def _ticks_out_of_view(fig: Figure) -> list[Text]:
    labels: list[Text] = []
    for axis in fig.findobj(Axis):
        lo, hi = sorted(axis.get_view_interval())
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            if not lo - 1e-9 <= tick.get_loc() <= hi + 1e-9:
                labels += [tick.label1, tick.label2]
    return labels


def readability_problems(fig: Figure) -> list[str]:
    """Every overlap, too-small text, text off the page and excess width; [] if none."""
    FigureCanvasAgg(fig) if fig.canvas is None else None
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    texts = visible_texts(fig)
    problems = [f"{t.get_text()!r} is {t.get_fontsize()} pt" for t in texts
                if t.get_fontsize() < MIN_PT]  # fmt: skip
    if fig.get_figwidth() > MAX_WIDTH_IN:
        problems.append(f"figure is {fig.get_figwidth():.1f} in wide")
    page = fig.bbox
    quads = [(t, text_quad(t, renderer)) for t in texts]
    for t, q in quads:
        if q[:, 0].min() < page.x0 - 1 or q[:, 0].max() > page.x1 + 1 or \
                q[:, 1].min() < page.y0 - 1 or q[:, 1].max() > page.y1 + 1:  # fmt: skip
            problems.append(f"{t.get_text()!r} runs off the page")
    for (a, qa), (b, qb) in combinations(quads, 2):
        if Path(qa, closed=False).intersects_path(Path(qb, closed=False), filled=True):
            problems.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    return problems
