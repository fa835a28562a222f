"""Guest badges as Typst markup: two columns of cut-out cards, a QR code on each (pure).

Each badge shows the event, the guest's name (large), title, category,
country and delegation, the QR code of the guest's signed token (an SVG
made by the command line with segno, embedded as bytes) and, along the
bottom of the card, the token as text on one line: a steward types it when a code
will not scan.
Every string is printed literally (:mod:`.markup`); the SVG is a string
literal too, handed to ``image(bytes(…))``, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from paradeops.protocol.badges import BadgeGuest
from paradeops.protocol.countries import country_name
from paradeops.protocol.guests import GuestBook
from paradeops.reports.papers.markup import Paper, lit, page_setup, small, text

__all__ = ["Badge", "badge_texts", "badges_markup"]

#: A badge's size: two fit side by side, four above each other, on A4 and Letter alike.
WIDTH_MM, HEIGHT_MM = 88, 60
#: The printed side of the QR code (≈ 1.1 mm a module at version 3: phones read it at arm's length).
QR_MM = 32
#: The size of the token under the code, unless it is too long to fit the card's width.
TOKEN_PT = 8


@dataclass(frozen=True)
class Badge:
    """What one badge prints: the guest, their signed token and its QR code as SVG."""

    who: BadgeGuest
    token: str
    qr_svg: str
    #: ``section s1, row 2, seat 5`` from the seating, if one was given and seats the guest.
    seat: str | None = None


def _category(value: str) -> str:
    return value.replace("_", " ")


def badge_texts(book: GuestBook, who: BadgeGuest, seat: str | None = None) -> list[str]:
    """The lines under a guest's name, in print order (for the fonts check too)."""
    g = who.guest
    lines = [g.title or "", _category(g.category.value), country_name(g.country, book.language)]
    if seat:
        lines.append(seat.capitalize())
    if g.delegation:
        lines.append(f"Delegation: {g.delegation}")
    if g.interpreter_for:
        lines.append(f"Interpreter for {g.interpreter_for}")
    return [x for x in lines if x]


def _card(book: GuestBook, badge: Badge) -> str:
    g = badge.who.guest
    details = "#linebreak()".join(text(x) for x in badge_texts(book, badge.who, badge.seat))
    left = (
        f"{small(text(book.event or 'Guest'))}#v(2mm)\n"
        f'#text(size: 15pt, weight: "bold")[{text(g.name)}]#v(1.5mm)\n'
        f"{details}"
    )
    qr = f'#image(bytes({lit(badge.qr_svg)}), format: "svg", width: {QR_MM}mm)'
    return (
        f"#block(width: {WIDTH_MM}mm, height: {HEIGHT_MM}mm, inset: 4mm, breakable: false,"
        ' stroke: (paint: luma(190), thickness: 0.4pt, dash: "dashed"))['
        f"#grid(columns: (1fr, {QR_MM}mm), column-gutter: 3mm, row-gutter: 1.5mm,"
        f" rows: (1fr, auto), [{left}], align(top + right)[{qr}],"
        f" grid.cell(colspan: 2, {_token(badge.token)}))]"
    )


def _token(token: str) -> str:
    """The token as code: one line across the card, in a monospaced font.

    A steward types it letter by letter: a line break at a ``-`` of the guest's
    id reads as part of it, and a proportional font at a small size makes
    ``l``, ``1``, ``I`` and ``O``, ``0`` look alike. DejaVu Sans Mono (embedded
    in Typst) tells them apart; a long token is set smaller until it fits the
    card's width rather than wrapped (``box`` never breaks).
    """
    t = lit(token)
    style = 'font: "DejaVu Sans Mono", fill: luma(40)'
    return (
        f"layout(size => {{ let w = measure(text({style}, size: {TOKEN_PT}pt, {t})).width;"
        f" box(text({style}, size: calc.min({TOKEN_PT}pt, {TOKEN_PT}pt * (size.width / w)),"
        f" {t})) }})"
    )


def badges_markup(
    book: GuestBook, badges: Sequence[Badge], paper: Paper, families: Sequence[str]
) -> str:
    """The Typst document: every badge, two to a row, rows never split over pages."""
    event = book.event or "Guests"
    setup = page_setup(
        title=f"{event}: guest badges",
        footer=[event, "Guest badges"],
        paper=paper,
        families=families,
    )
    if not badges:
        return setup + text("No guest gets a badge: every guest has cancelled or declined.")
    cards = ",\n  ".join(f"[{_card(book, b)}]" for b in badges)
    return setup + f"#grid(columns: (auto, auto), gutter: 2mm,\n  {cards},\n)\n"
