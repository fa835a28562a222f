"""The seating chart under the shared chart checks: the shipped guest book and a
CJK/Arabic one (tests/reports/data), drawn at A3 as ``paradeops seat --chart`` draws it.
"""

from __future__ import annotations

import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure

from paradeops.cli.guests_commands import seated_ids
from paradeops.io.guestfiles import load_guests, load_tribunes
from paradeops.protocol.guests import GuestBook
from paradeops.protocol.seating import Seating, seat
from paradeops.protocol.tribunes import layout
from paradeops.reports.fonts import use_chart_fonts
from paradeops.reports.seating_chart import seating_figure
from tests.conftest import EXAMPLES
from tests.reports.chart_checks import readability_problems, visible_texts

DATA = Path(__file__).parent / "data"
BOOKS = {
    "victory-day-2025": (EXAMPLES / "victory-day-2025" / "guests.yaml",
                         EXAMPLES / "victory-day-2025" / "tribunes.yaml"),
    "multilingual": (DATA / "multilingual-guests.yaml", DATA / "multilingual-tribunes.yaml"),
}  # fmt: skip


def _figure(name: str) -> tuple[GuestBook, Seating, Figure]:
    guests, tribunes = BOOKS[name]
    book = load_guests(guests)
    lay = layout(load_tribunes(tribunes))
    result = seat(book, seated_ids(book, None), lay, time_limit_s=30)
    assert result.status == "OPTIMAL"
    return book, result, seating_figure(book, result, lay, title=book.event or "")


@pytest.mark.parametrize("name", BOOKS)
def test_seating_chart_is_readable(name: str) -> None:
    _, result, fig = _figure(name)
    assert readability_problems(fig) == []
    # A number in every occupied seat, a line per guest in the list.
    numbers = [t.get_text() for t in visible_texts(fig) if t.get_text().isdigit()]
    assert sorted(map(int, numbers)) == list(range(1, len(result.seats) + 1))


def test_the_multilingual_book_is_seated_with_every_name_in_the_list() -> None:
    # 12 guests: the host, 9 others confirmed, 2 interpreters (for jp-pm and eg-president).
    book, result, fig = _figure("multilingual")
    assert len(result.seats) == 12
    texts = [t.get_text() for t in visible_texts(fig)]
    for guest in book.guests:
        lines = [t for t in texts if guest.name in t]
        assert len(lines) == 1, (guest.name, lines)
    # An Arabic name does not turn its line around: number first, seat last.
    line = next(t for t in texts if "عبد الرحمن محمود الشريف" in t)
    assert line.lstrip("\u200e").startswith("  2  ")
    assert line.endswith("(EG, #1) — east r1 s5")


@pytest.mark.parametrize("name", BOOKS)
def test_the_chart_fonts_cover_every_name(name: str) -> None:
    families = use_chart_fonts()
    if name == "multilingual" and "Noto Sans CJK SC" not in families:
        pytest.skip("Noto fonts not installed (scripts/setup installs them as root)")
    charmaps = [font_manager.get_font(font_manager.fontManager.findfont(f)).get_charmap()
                for f in families]  # fmt: skip
    book = load_guests(BOOKS[name][0])
    missing = {
        (g.name, ch)
        for g in book.guests
        for ch in g.name
        if not ch.isspace() and unicodedata.category(ch) != "Cf"
        and not any(ord(ch) in cmap for cmap in charmaps)
    }  # fmt: skip
    assert missing == set()


@pytest.mark.parametrize("name", BOOKS)
def test_seat_chart_writes_nothing_on_stderr_but_what_it_wrote(name: str,
                                                                tmp_path: Path) -> None:
    """A fresh process: warnings (with source paths) would show here."""
    guests, tribunes = BOOKS[name]
    for chart in (tmp_path / "seats.png", tmp_path / "seats.svg"):
        p = subprocess.run([sys.executable, "-m", "paradeops", "seat", str(guests),
                            str(tribunes), "--chart", str(chart), "--time-limit", "30"],
                           capture_output=True, text=True, timeout=300)  # fmt: skip
        assert p.returncode == 0, p.stderr
        assert p.stderr.strip() == f"wrote {chart}", p.stderr
        assert chart.stat().st_size > 1000
