from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from paradeops.reports.movement_graph import _band, movement_graph
from paradeops.timing.schedule import Schedule

OUT = Path(__file__).resolve().parents[2] / "test-output"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_png(small_schedule: Schedule) -> None:
    png = movement_graph(small_schedule, "png")
    assert png.startswith(PNG_MAGIC)
    OUT.mkdir(exist_ok=True)
    (OUT / "movement-graph-small.png").write_bytes(png)


def test_svg_has_root_checkpoint_names_and_reviewing_stand(small_schedule: Schedule) -> None:
    svg = movement_graph(small_schedule, "svg")
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    text = svg.decode("utf-8")
    for c in small_schedule.checkpoints:
        assert c.name in text
    assert "reviewing stand" in text
    # The window is named as the plan names it (parade.window_name), never a fixed text.
    assert "TV slot until" in text and "broadcast window" not in text
    assert "flypast-1" in text and "t90m" in text


def test_svg_is_reproducible(small_schedule: Schedule) -> None:
    assert movement_graph(small_schedule, "svg") == movement_graph(small_schedule, "svg")


def test_big_schedule_renders_and_is_saved(big_schedule: Schedule) -> None:
    png = movement_graph(big_schedule, "png")
    assert png.startswith(PNG_MAGIC)
    OUT.mkdir(exist_ok=True)
    # For a person to look at: tests cannot judge readability.
    (OUT / "movement-graph-carnival-150.png").write_bytes(png)
    svg = movement_graph(big_schedule, "svg")
    assert b"City Hall stand" in svg


def test_fan_overlay(small_schedule: Schedule) -> None:
    t90 = next(u for u in small_schedule.units if u.id == "t90m")
    assert t90.trajectory is not None
    positions = np.linspace(0.0, 450.0, 30)
    base = t90.trajectory.arrive(positions)
    rng = np.random.default_rng(1)
    times = base + np.cumsum(rng.normal(0, 2.0, (40, 30)), axis=1)
    svg = movement_graph(small_schedule, "svg", fan=[("t90m", times, positions)])
    plain = movement_graph(small_schedule, "svg")
    assert len(svg) > len(plain)
    assert movement_graph(small_schedule, "png", fan=[("t90m", times, positions)]).startswith(
        PNG_MAGIC
    )


def test_band_is_clipped_exactly_at_route_ends(small_schedule: Schedule) -> None:
    float1 = next(u for u in small_schedule.units if u.id == "float-1")
    t, head, tail = _band(float1, 450.0)
    assert np.all(np.diff(t) >= 0)
    assert head.min() == 0.0 and tail.max() == 450.0
    # Where both ends are on the route, the band is exactly one unit long.
    inside = (tail > 0) & (head < 450)
    assert np.allclose(head[inside] - tail[inside], float1.length_m)


def test_rejects_unknown_format(small_schedule: Schedule) -> None:
    with pytest.raises(ValueError, match="png"):
        movement_graph(small_schedule, "pdf")  # type: ignore[arg-type]
