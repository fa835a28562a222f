from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from paradeops.reports.chart_text import drop_colliding
from paradeops.reports.fonts import use_chart_fonts
from paradeops.reports.movement_graph import _band, movement_graph, movement_graph_figure
from paradeops.timing.schedule import Schedule
from tests.reports.chart_checks import visible_texts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_png(small_schedule: Schedule, artefacts: Path) -> None:
    png = movement_graph(small_schedule, "png")
    assert png.startswith(PNG_MAGIC)
    (artefacts / "movement-graph-small.png").write_bytes(png)


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
    # Units are labelled by name where the name fits (all of them here).
    assert "✈ Su-30SM × 6" in text and "T-90M main battle tanks" in text
    assert "flypast-1" not in text and "t90m" not in text


def _labels_of(s: Schedule) -> list[str]:
    fig = movement_graph_figure(s)
    names = {u.name for u in s.units} | {u.id for u in s.units}
    return [t.get_text() for t in visible_texts(fig)
            if t.get_text().removeprefix("✈ ") in names]  # fmt: skip


def test_a_name_too_long_for_its_band_gives_way_to_the_id(small_schedule: Schedule) -> None:
    long = "T-90M main battle tanks of the 4th Guards Kantemirovskaya Tank Division, " * 2
    flypast = "Su-30SM fighters of the 22nd Guards Fighter Aviation Regiment, six aircraft " * 2
    units = tuple(
        replace(u, name=long) if u.id == "t90m"
        else replace(u, name=flypast) if u.id == "flypast-1"
        else u
        for u in small_schedule.units
    )  # fmt: skip
    labels = _labels_of(replace(small_schedule, units=units))
    assert "t90m" in labels and long not in labels
    assert "✈ flypast-1" in labels and f"✈ {flypast}" not in labels
    # The others keep their names.
    assert {"Colour guard", "Victory float", "Massed bands"} <= set(labels)


def test_drop_colliding_tries_the_short_form_before_hiding() -> None:
    use_chart_fonts()
    fig = Figure(figsize=(6, 2))
    FigureCanvasAgg(fig)
    kept = fig.text(0.5, 0.5, "fixed", fontsize=8)
    # Starts left of "fixed" and runs into it; its short form ends before it.
    long = fig.text(0.3, 0.5, "a long unit name running on", fontsize=8)
    hopeless = fig.text(0.51, 0.5, "also long", fontsize=8)  # even "x" sits on "fixed"
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    hidden = drop_colliding([kept], [long, hopeless], renderer,
                            short={id(long): "short", id(hopeless): "x"})  # fmt: skip
    assert long.get_text() == "short" and long.get_visible()
    assert hidden == [hopeless] and not hopeless.get_visible()


def test_svg_is_reproducible(small_schedule: Schedule) -> None:
    assert movement_graph(small_schedule, "svg") == movement_graph(small_schedule, "svg")


def test_big_schedule_renders_and_is_saved(big_schedule: Schedule, artefacts: Path) -> None:
    png = movement_graph(big_schedule, "png")
    assert png.startswith(PNG_MAGIC)
    # For a person to look at: tests cannot judge readability.
    (artefacts / "movement-graph-carnival-150.png").write_bytes(png)
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
