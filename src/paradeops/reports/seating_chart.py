"""The seating chart (SVG or PNG, with names) and the seating as CSV and JSON."""

from __future__ import annotations

import csv
import io
import zlib
from typing import Any

from paradeops.protocol.countries import country_name
from paradeops.protocol.guests import GuestBook
from paradeops.protocol.seating import Seating
from paradeops.protocol.tribunes import Layout

CSV_COLUMNS = (
    "section", "row", "seat", "honour", "guest", "name", "title", "country", "country_name",
    "category", "delegation", "precedence", "interpreter_for",
)


def seating_rows(book: GuestBook, seating: Seating, layout: Layout) -> list[dict[str, Any]]:
    """One record per seated guest, in honour order of the seats."""
    guests = book.by_id()
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
        })
    return rows


def seating_csv(book: GuestBook, seating: Seating, layout: Layout) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(seating_rows(book, seating, layout))
    return buffer.getvalue()


def seating_json(book: GuestBook, seating: Seating, layout: Layout) -> dict[str, Any]:
    return {
        "status": seating.status,
        "solver": seating.detail,
        "cost": seating.objective,
        "bound": seating.bound,
        "gap": round(seating.gap, 6),
        "wall_time_s": round(seating.wall_time_s, 3),
        "seats": len(layout.seats),
        "seated": seating_rows(book, seating, layout),
    }


def seating_chart(
    book: GuestBook, seating: Seating, layout: Layout, *, fmt: str = "svg", title: str = ""
) -> bytes:
    """A chart of the tribunes seen from the parade: one box per seat, names in them.

    The front row is at the bottom; the people seated face the viewer, so their
    right is the viewer's left — the chart is drawn as the audience sees it.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    guests = book.by_id()
    occupant = {index: gid for gid, index in seating.seats.items()}
    columns = [s.column for s in layout.seats]
    width = max(columns) - min(columns) + 1
    depth = max(s.row for s in layout.seats)
    tall = 2.6  # a seat box is this many times taller than wide: room for a name
    fig_w = min(200.0, max(6.0, width * 0.32))
    fig, ax = plt.subplots(figsize=(fig_w, max(2.5, depth * tall * 0.32 + 1.0)))
    right = max(columns)
    for seat in layout.seats:
        x = right - seat.column  # audience's view: the seated people's right is on the left
        y = (seat.row - 1) * tall
        gid = occupant.get(seat.index)
        if gid is None:
            colour: Any = "#f2f2f2"
        elif guests[gid].host:
            colour = "#d4a017"
        else:
            hue = zlib.crc32(book.delegation_of(guests[gid]).encode()) % 20 / 20
            colour = plt.get_cmap("tab20")(hue)
        host = seat.index == layout.host_seat
        ax.add_patch(Rectangle((x, y), 0.92, tall - 0.1, facecolor=colour,
                               edgecolor="black" if host else "#777777",
                               linewidth=1.2 if host else 0.4))
        if gid is not None:
            guest = guests[gid]
            name = guest.name if len(guest.name) <= 22 else guest.name[:21] + "…"
            tag = "interpreter" if guest.interpreter_for else guest.country
            ax.text(x + 0.46, y + (tall - 0.1) / 2, f"{name}\n{tag}", ha="center",
                    va="center", rotation=90, fontsize=4, linespacing=1.1)
    for section in dict.fromkeys(s.section for s in layout.seats):
        cols = [right - s.column for s in layout.seats if s.section == section]
        ax.text((min(cols) + max(cols) + 1) / 2, -0.3, section, ha="center", va="top",
                fontsize=7, weight="bold")
    ax.set_xlim(-0.5, width + 0.5)
    ax.set_ylim(-1.2, depth * tall + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    gap = "optimal" if seating.status == "OPTIMAL" else f"gap {seating.gap:.2%}"
    ax.set_title(f"{title or 'Seating'} — seen from the parade, front row at the bottom, "
                 f"host's seat outlined ({len(seating.seats)} guests, {gap})", fontsize=8)
    buffer = io.BytesIO()
    metadata = {"Date": None} if fmt == "svg" else {}
    fig.savefig(buffer, format=fmt, bbox_inches="tight", dpi=150, metadata=metadata)
    plt.close(fig)
    return buffer.getvalue()
