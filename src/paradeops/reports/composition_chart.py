"""Bar chart of parades' composition: vehicles and aircraft by class, side by side."""

from __future__ import annotations

import io
from typing import Literal

from matplotlib.figure import Figure

from paradeops.composition.compose import Comparison


def composition_chart(cmp: Comparison, fmt: Literal["png", "svg"] = "png") -> bytes:
    """Grouped bars: one group per class, one bar per parade (in the order given)."""
    classes: list[str] = []
    for p in cmp.parades:
        for c in p.by_class:
            if c not in classes:
                classes.append(c)
    classes.sort(key=lambda c: -max(p.by_class.get(c, 0) for p in cmp.parades))
    n = len(cmp.parades)
    width = 0.8 / max(n, 1)
    fig = Figure(figsize=(max(6.0, 1.1 * len(classes) + 2), 4.5), layout="constrained")
    ax = fig.subplots()
    for i, p in enumerate(cmp.parades):
        xs = [k + (i - (n - 1) / 2) * width for k in range(len(classes))]
        ys = [p.by_class.get(c, 0) for c in classes]
        bars = ax.bar(xs, ys, width * 0.95, label=f"{p.name} ({p.vehicles} vehicles)")
        ax.bar_label(bars, fontsize=7, padding=1)
    ax.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    ax.set_ylabel("vehicles / aircraft")
    title = "Composition by class"
    if cmp.ratios:
        title += ": " + "; ".join(r.text() for r in cmp.ratios)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    buf = io.BytesIO()
    meta = {"Software": "paradeops"} if fmt == "png" else {"Date": None}
    fig.savefig(buf, format=fmt, dpi=120, metadata=meta)
    return buf.getvalue()
