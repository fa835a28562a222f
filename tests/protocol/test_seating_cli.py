"""``paradeops seat``: output grammar, the unproven-seating warning and exit code,
--accept-feasible, --explain, and a chart whose texts never overlap."""

from __future__ import annotations

import itertools
import json
import warnings
from pathlib import Path

import pytest

from paradeops.io.guestfiles import load_guests, load_tribunes
from paradeops.protocol import cpsat
from paradeops.protocol.seating import seat
from paradeops.protocol.tribunes import layout
from paradeops.reports.fonts import MIN_PT
from paradeops.reports.seating_chart import A3, seating_figure
from tests.conftest import Run
from tests.protocol.conftest import EXAMPLE

GUESTS = EXAMPLE / "guests.yaml"
TRIBUNES = EXAMPLE / "tribunes.yaml"


@pytest.fixture
def unproven(monkeypatch: pytest.MonkeyPatch) -> None:
    """No exact model: the second stage ends with the two steps' seating, never proven
    against the ideal bound — what a solver stopped by its time limit leaves."""
    monkeypatch.setattr(cpsat, "EXACT_LIMIT", 0)


def test_stopped_solver_warns_everywhere_and_exits_1(cli: Run, tmp_path: Path,
                                                     unproven: None) -> None:
    chart = tmp_path / "chart.svg"
    r = cli("seat", GUESTS, TRIBUNES, "--format", "json", "--chart", chart)
    assert r.code == 1
    data = json.loads(r.out)
    assert data["status"] == "FEASIBLE" and data["gap"] > 0 and data["stopped_early"]
    assert "time limit" in data["warnings"][0] and "--accept-feasible" in data["warnings"][0]
    assert "warning: the solver stopped at its time limit" in r.err
    assert "WARNING: the solver stopped" in chart.read_text()
    table = cli("seat", GUESTS, TRIBUNES)
    assert table.code == 1 and "WARNING: the solver stopped" in table.out


def test_accept_feasible_exits_0_and_still_says_so(cli: Run, unproven: None) -> None:
    r = cli("seat", GUESTS, TRIBUNES, "--accept-feasible")
    assert r.code == 0
    assert "WARNING: the solver stopped" in r.out and "accepted with --accept-feasible" in r.out


def test_proven_seating_exits_0_with_no_warning(cli: Run, tmp_path: Path) -> None:
    seating = tmp_path / "seating.csv"
    r = cli("seat", GUESTS, TRIBUNES, "-o", seating, "--format", "csv", "--time-limit", "60")
    assert r.code == 0 and "warning" not in r.err
    lines = seating.read_text().splitlines()
    assert lines[0].startswith("section,row,seat,honour,guest")
    # the front row of the centre carries the honour: precedence 0..15 on honours 0..15
    front = [line.split(",") for line in lines[1:17]]
    assert [int(f[3]) for f in front] == list(range(16))
    assert [int(f[11]) for f in front] == list(range(16))


def test_output_is_the_seating_and_the_chart_has_its_own_option(cli: Run,
                                                                tmp_path: Path) -> None:
    r = cli("seat", GUESTS, TRIBUNES, "-o", tmp_path / "chart.png")
    assert r.code == 2 and "--chart" in r.err


def test_explain(cli: Run) -> None:
    r = cli("seat", GUESTS, TRIBUNES, "--explain", "cn-leader", "--format", "json",
            "--time-limit", "60")
    assert r.code == 0, r.err
    why = json.loads(r.out)
    assert why["seat"] == "centre r1 s14" and why["stage"] == "precedence seats"
    assert any(f"precedence #{why['precedence']}" in reason for reason in why["reasons"])
    assert any("honour order" in reason for reason in why["reasons"])
    text = cli("seat", GUESTS, TRIBUNES, "--explain", "cn-interpreter", "--time-limit", "60")
    assert "interpreter for cn-leader" in text.out
    missing = cli("seat", GUESTS, TRIBUNES, "--explain", "la-president")
    assert missing.code == 2 and "is not seated" in missing.err


def test_chart_texts_never_overlap_and_are_readable_at_a3(capfd: pytest.CaptureFixture[str],
                                                          unproven: None) -> None:
    book = load_guests(GUESTS)
    lay = layout(load_tribunes(TRIBUNES))
    ids = [g.id for g in book.guests]  # everyone, cancelled too: a fuller chart
    result = seat(book, ids, lay, time_limit_s=5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = seating_figure(book, result, lay, title="A title long enough to matter")
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        texts = [t for t in fig.texts if t.get_text()]
        boxes = [t.get_window_extent(renderer) for t in texts]
    assert tuple(fig.get_size_inches()) == pytest.approx(A3)
    assert min(float(t.get_fontsize()) for t in texts) >= MIN_PT
    assert len(texts) > len(ids)  # a number in every seat and a line in the list
    for (a, ta), (b, tb) in itertools.combinations(zip(boxes, texts, strict=True), 2):
        assert not a.overlaps(b), (ta.get_text(), tb.get_text())
    page = fig.bbox
    assert all(page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 and b.y1 <= page.y1
               for b in boxes)
    assert "WARNING" in " ".join(t.get_text() for t in texts)
    assert capfd.readouterr().err == ""
