"""Where a chart's text lands once drawn, so optional labels never overlap.

A slanted label's axis-aligned extent is much larger than the label: two
parallel slanted ids side by side have overlapping extents without touching.
So each text is taken as the rotated rectangle its glyphs fill, and two
texts collide when those rectangles intersect (separating-axis test).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Text

__all__ = ["drop_colliding", "text_quad"]

Quad = np.ndarray  # 4 corners (x, y) in display pixels


def text_quad(text: Text, renderer: RendererBase) -> Quad:
    """The rotated rectangle ``text`` fills on the canvas, as four corners [px].

    Matplotlib's extent of a rotated text is the bounding box of the rotated
    rectangle; the rectangle itself is found by rotating back: its size is
    the unrotated extent's, and its centre is the extent's centre.
    """
    box = text.get_window_extent(renderer)
    angle = math.radians(text.get_rotation())
    if abs(math.sin(angle)) < 1e-9 and abs(math.cos(angle)) > 0:
        return np.array([[box.x0, box.y0], [box.x1, box.y0], [box.x1, box.y1], [box.x0, box.y1]])
    c, s = abs(math.cos(angle)), abs(math.sin(angle))
    # Solve W = w c + h s, H = w s + h c for the unrotated w, h.
    det = c * c - s * s
    if abs(det) < 1e-6:  # 45°: w and h are not separable from the extent; use the layout
        w, h = _unrotated_size(text, renderer)
    else:
        w = (box.width * c - box.height * s) / det
        h = (box.height * c - box.width * s) / det
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    u = np.array([math.cos(angle), math.sin(angle)]) * max(w, 0.0) / 2
    v = np.array([-math.sin(angle), math.cos(angle)]) * max(h, 0.0) / 2
    centre = np.array([cx, cy])
    return np.array([centre - u - v, centre + u - v, centre + u + v, centre - u + v])


def _unrotated_size(text: Text, renderer: RendererBase) -> tuple[float, float]:
    rotation = text.get_rotation()
    text.set_rotation(0)
    box = text.get_window_extent(renderer)
    text.set_rotation(rotation)
    return box.width, box.height


def quads_intersect(a: Quad, b: Quad) -> bool:
    """Whether two convex quadrilaterals overlap (touching edges do not count)."""
    for quad in (a, b):
        for i in range(4):
            edge = quad[(i + 1) % 4] - quad[i]
            axis = np.array([-edge[1], edge[0]])
            pa, pb = a @ axis, b @ axis
            if pa.max() <= pb.min() + 1e-6 or pb.max() <= pa.min() + 1e-6:
                return False
    return True


def drop_colliding(
    kept: Iterable[Text],
    optional: Sequence[Text],
    renderer: RendererBase,
    *,
    short: Mapping[int, str] | None = None,
) -> list[Text]:
    """Hide each ``optional`` text (in order) that would overlap one already shown.

    ``kept`` texts are always shown. A text with a shorter form in ``short``
    (by ``id()`` of the text: a unit's id for its name) takes it when it would
    overlap, and is hidden only if that overlaps too. Returns the optional
    texts that were hidden.
    """
    shown = [text_quad(t, renderer) for t in kept if t.get_visible() and t.get_text()]
    hidden: list[Text] = []
    for t in optional:
        quad = text_quad(t, renderer)
        if short is not None and id(t) in short and _collides(quad, shown):
            t.set_text(short[id(t)])
            quad = text_quad(t, renderer)
        if _collides(quad, shown):
            t.set_visible(False)
            hidden.append(t)
        else:
            shown.append(quad)
    return hidden


def _collides(quad: Quad, shown: Sequence[Quad]) -> bool:
    return any(quads_intersect(quad, other) for other in shown)
