"""The seating chart (SVG or PNG, readable at A3) and the seating as CSV and JSON."""

from __future__ import annotations

import io
import textwrap
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from paradeops.protocol.countries import country_name
from paradeops.protocol.guests import GuestBook
from paradeops.protocol.seating import Seating
from paradeops.protocol.tribunes import Layout
from paradeops.reports.csv_text import csv_text

if TYPE_CHECKING:
    from matplotlib.figure import Figure

CSV_COLUMNS = (
    "section", "row", "seat", "honour", "guest", "name", "title", "country", "country_name",
    "category", "delegation", "precedence", "interpreter_for",
)


def seating_rows(book: GuestBook, seating: Seating, layout: Layout) -> list[dict[str, Any]]:
    """One record per seated guest, in honour order of the seats."""
    guests = book.by_id()
    principal = {i for k in layout.principal_segments() for i in layout.segments[k].seats}
    rows = []
    for gid, index in sorted(seating.seats.items(), key=lambda kv: layout.seats[kv[1]].honour):
        seat, guest = layout.seats[index], guests[gid]
        rows.append({
            "section": seat.section, "row": seat.row, "seat": seat.number,
            "honour": seat.honour, "guest": gid, "name": guest.name,
            "title": guest.title or "", "country": guest.country,
            "country_name": country_name(guest.country, book.language),
            "category": guest.category.value, "delegation": book.delegation_of(guest),
            "precedence": seating.ranks.get(gid, ""),
            "interpreter_for": guest.interpreter_for or "",
            "precedence_seat": index in principal,
        })
    return rows


def seating_csv(book: GuestBook, seating: Seating, layout: Layout) -> str:
    """One line per seated guest; a name a spreadsheet would run is written as text."""
    return csv_text(CSV_COLUMNS, seating_rows(book, seating, layout))


def seating_json(book: GuestBook, seating: Seating, layout: Layout) -> dict[str, Any]:
    return {
        "status": seating.status,
        "solver": seating.detail,
        "cost": seating.objective,
        "bound": seating.bound,
        "gap": round(seating.gap, 6),
        "wall_time_s": round(seating.wall_time_s, 3),
        "stopped_early": seating.stopped_early,
        "warnings": seating.warnings(),
        "relaxations": [{"rule": r.rule, "guests": list(r.guests), "detail": r.detail}
                        for r in seating.relaxations],
        "seats": len(layout.seats),
        "seated": seating_rows(book, seating, layout),
    }


#: A3 landscape, 420 × 297 mm [in]: the chart is laid out to be read printed at this size.
A3 = (420 / 25.4, 297 / 25.4)
MARGIN = 0.4  # [in]
FONT_PT = 7.0  # seat numbers and the list: the smallest text of the chart
LINE = FONT_PT * 1.45 / 72  # [in] between two lines of the list, at least
BOX_H = 0.26  # [in] a seat's height
#: Left-to-right mark: a line that starts with an Arabic or Hebrew name is still
#: laid out left to right (number, name, then seat), not reversed as a whole.
LTR = "\u200e"
#: First-strong isolate and its end: a name is ordered on its own, so the
#: parentheses and numbers after it stay after it.
FSI, PDI = "\u2068", "\u2069"


@dataclass(frozen=True)
class _Entry:
    number: int  # shown in the seat's box and in front of the list line
    seat: int
    text: str


def seating_chart(
    book: GuestBook, seating: Seating, layout: Layout, *, fmt: str = "svg", title: str = ""
) -> bytes:
    """The chart as SVG or PNG bytes (A3 landscape, larger only for very large stands)."""
    fig = seating_figure(book, seating, layout, title=title)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buffer, format=fmt, dpi=150, metadata=metadata)
    return buffer.getvalue()


def seating_figure(book: GuestBook, seating: Seating, layout: Layout, *,
                   title: str = "") -> Figure:
    """The stands seen from the parade, one numbered box per seat, and the numbered list
    of guests beside it (names horizontal, never cut).

    The front row is at the bottom; the people seated face the viewer, so their
    right is the viewer's left. Every size is in inches of the saved figure, and
    text widths are measured before anything is placed, so no two texts overlap.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from paradeops.reports.fonts import use_chart_fonts

    use_chart_fonts()
    entries = _entries(book, seating, layout)
    fig = Figure(figsize=A3)
    FigureCanvasAgg(fig)
    measure = _Measure(fig)
    header = _header(seating, title)
    header_h = sum(measure.height(text, size) + 0.08 for text, size, _ in header)
    box_w = max(0.22, measure.width(str(len(entries)), FONT_PT) + 0.08)
    right = max(s.column for s in layout.seats)
    ncols = right - min(s.column for s in layout.seats) + 1
    depth = max(s.row for s in layout.seats)
    grid_w, grid_h = ncols * box_w, depth * BOX_H
    top = MARGIN + header_h + 0.15  # from the top of the page
    labels_h = measure.height("Sg", FONT_PT) + 0.1
    widths = [measure.width(e.text, FONT_PT) for e in entries]
    # Arabic glyphs reach further above and below than Latin ones: lines are
    # spaced by the tallest line measured, so none touches the next.
    line = max([LINE, *(measure.height(e.text, FONT_PT) + 0.02 for e in entries)])
    below = (MARGIN, top + grid_h + labels_h + 0.3)
    list_x, list_top, per_column, columns = _place_list(
        widths, line, beside=(MARGIN + grid_w + 0.5, top), below=below
    )
    width = max(A3[0], list_x + sum(w + 0.3 for w in columns) + MARGIN, grid_w + 2 * MARGIN)
    height = max(A3[1], top + grid_h + labels_h + MARGIN,
                 list_top + min(per_column, len(entries)) * line + MARGIN)
    fig.set_size_inches(width, height)
    inch = fig.dpi_scale_trans

    def y(from_top: float) -> float:
        return height - from_top

    _draw_header(fig, measure, header, height)
    # a box is anchored at its bottom edge; the back row is at the top of the grid
    _draw_seats(fig, book, seating, layout, entries, box_w, lambda row: y(
        top + (depth - row + 1) * BOX_H), right)
    _draw_sections(fig, layout, box_w, right, y(top + grid_h + 0.05))
    x = list_x
    for c, column_width in enumerate(columns):
        for r, entry in enumerate(entries[c * per_column : (c + 1) * per_column]):
            fig.text(x, y(list_top + r * line), entry.text, fontsize=FONT_PT, va="top",
                     transform=inch)
        x += column_width + 0.3
    return fig


def _place_list(
    widths: list[float], line: float, *, beside: tuple[float, float], below: tuple[float, float]
) -> tuple[float, float, int, list[float]]:
    """Where the numbered list goes (x, top), lines per column and the column widths.

    Beside the stands if it fits the page's width, else below them.
    """
    for x, top in (beside, below):
        per_column = max(1, int((A3[1] - MARGIN - top) / line))
        columns = _list_columns(widths, per_column)
        if x + sum(w + 0.3 for w in columns) + MARGIN <= A3[0]:
            break
    return x, top, per_column, columns


def _draw_header(
    fig: Figure, measure: _Measure, header: list[tuple[str, float, dict[str, Any]]], height: float
) -> None:
    """The title and notes, top left, each line below the one before."""
    at = MARGIN
    for text, size, style in header:
        fig.text(MARGIN, height - at, text, fontsize=size, va="top", transform=fig.dpi_scale_trans,
                 **style)
        at += measure.height(text, size) + 0.08


class _Measure:
    """Text extents in inches at the saved size (a scratch text on the figure)."""

    def __init__(self, fig: Figure) -> None:
        self.fig = fig
        self.renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]

    def _box(self, text: str, size: float) -> tuple[float, float]:
        t = self.fig.text(0, 0, text, fontsize=size)
        box = t.get_window_extent(self.renderer)
        t.remove()
        return box.width / self.fig.dpi, box.height / self.fig.dpi

    def width(self, text: str, size: float) -> float:
        return self._box(text, size)[0]

    def height(self, text: str, size: float) -> float:
        return self._box(text, size)[1]


def _entries(book: GuestBook, seating: Seating, layout: Layout) -> list[_Entry]:
    """One numbered line per seated guest, in honour order of the seats."""
    out = []
    for n, r in enumerate(seating_rows(book, seating, layout), start=1):
        role = f"interpreter for {r['interpreter_for']}" if r["interpreter_for"] else \
            f"#{r['precedence']}"
        seat = seating.seats[r["guest"]]
        out.append(_Entry(n, seat, f"{LTR}{n:>3}  {FSI}{r['name']}{PDI} ({r['country']}, "
                                   f"{role}) — {r['section']} r{r['row']} s{r['seat']}"))
    return out


def _list_columns(widths: list[float], per_column: int) -> list[float]:
    return [max(widths[i : i + per_column]) for i in range(0, len(widths), per_column)]


def _header(seating: Seating, title: str) -> list[tuple[str, float, dict[str, Any]]]:
    proof = ("optimal" if seating.status == "OPTIMAL"
             else f"{seating.status.lower()}, gap {seating.gap:.2%}")
    lines: list[tuple[str, float, dict[str, Any]]] = [
        (f"{LTR}{FSI}{title or 'Seating'}{PDI} — {len(seating.seats)} guests; "
         f"precedence seats exact, the rest {proof}", 11.0, {"weight": "bold"}),
        ("Seen from the parade: front row at the bottom, the host's seat outlined in black, "
         "precedence seats edged dark. The numbers in the seats are those of the list.", 8.0, {}),
    ]
    lines += [(part, 9.0, {"color": "#b00020", "weight": "bold"})
              for w in seating.warnings() for part in textwrap.wrap(f"WARNING: {w}", 140)]
    if seating.relaxations:
        lines.append((f"{len(seating.relaxations)} rule(s) relaxed — the seating report "
                      "names each one (rule, guests, what gave way).", 8.0, {}))
    return lines


def _draw_seats(fig: Figure, book: GuestBook, seating: Seating, layout: Layout,
                entries: list[_Entry], box_w: float, row_y: Any, right: int) -> None:
    from matplotlib.colors import to_rgb
    from matplotlib.patches import Rectangle

    guests = book.by_id()
    occupant = {index: gid for gid, index in seating.seats.items()}
    number = {e.seat: e.number for e in entries}
    principal = {i for k in layout.principal_segments() for i in layout.segments[k].seats}
    palette = [to_rgb(f"C{i}") for i in range(10)]
    for seat in layout.seats:
        x = MARGIN + (right - seat.column) * box_w
        y0 = row_y(seat.row)
        gid = occupant.get(seat.index)
        colour: Any = "#f2f2f2"
        if gid is not None and guests[gid].host:
            colour = "#e8c766"
        elif gid is not None:
            base = palette[zlib.crc32(book.delegation_of(guests[gid]).encode()) % 10]
            colour = tuple(0.55 + 0.45 * c for c in base)  # pale: black text stays legible
        host = seat.index == layout.host_seat
        edge = "black" if host else "#333333" if seat.index in principal else "#999999"
        fig.add_artist(Rectangle((x + 0.01, y0 + 0.01), box_w - 0.02, BOX_H - 0.02,
                                 facecolor=colour, edgecolor=edge,
                                 linewidth=1.6 if host else 0.9 if seat.index in principal
                                 else 0.4, transform=fig.dpi_scale_trans))
        if gid is not None:
            fig.text(x + box_w / 2, y0 + BOX_H / 2, str(number[seat.index]), ha="center",
                     va="center", fontsize=FONT_PT, transform=fig.dpi_scale_trans)


def _draw_sections(fig: Figure, layout: Layout, box_w: float, right: int, y: float) -> None:
    for section in dict.fromkeys(s.section for s in layout.seats):
        cols = [right - s.column for s in layout.seats if s.section == section]
        fig.text(MARGIN + (min(cols) + max(cols) + 1) / 2 * box_w, y, section, ha="center",
                 va="top", fontsize=FONT_PT, weight="bold", transform=fig.dpi_scale_trans)
