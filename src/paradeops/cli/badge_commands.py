"""``print GUESTS --what badges``: a badge per guest, with a QR code of a signed token.

The guests who get one and the tokens are the protocol core's
(:mod:`paradeops.protocol.badges`); the QR codes are drawn by segno, the
document is typeset as the other papers are (:func:`compile_pdf`).
"""

from __future__ import annotations

import io
from pathlib import Path

from paradeops.cli.output import say_written, write_output
from paradeops.extras import require
from paradeops.io.badge_key import DEFAULT_FILE, load_badge_key
from paradeops.io.badge_seats import load_seats
from paradeops.io.guestfiles import load_guests

__all__ = ["print_badges", "qr_svg"]


def qr_svg(token: str) -> str:
    """The QR code of ``token`` as an SVG document, without quiet zone (the card gives it).

    Error correction M (15 % of the code may be lost to a crease or a smudge);
    the level is fixed (``boost_error=False``) so a token always gives the same code.
    """
    import segno

    qr = segno.make(token, error="m", micro=False, boost_error=False)
    out = io.BytesIO()
    qr.save(out, kind="svg", border=0, scale=1, xmldecl=False, svgns=True, nl=False,
            svgclass=None, lineclass=None)  # fmt: skip
    return out.getvalue().decode("ascii")


def print_badges(
    guests: Path, output: Path, paper: str, key_file: Path | None, seating: Path | None = None
) -> None:
    """Read the book, the seats and the key (any may be bad input: nothing written), print."""
    require("typst", "segno", what="paradeops print --what badges")
    from paradeops.cli.print_commands import compile_pdf, font_families
    from paradeops.protocol.badges import badge_guests, make_token
    from paradeops.reports.papers.badges import Badge, badge_texts, badges_markup

    book = load_guests(guests)
    seats = {} if seating is None else load_seats(seating, set(book.by_id()))
    key = load_badge_key(key_file or DEFAULT_FILE)
    badges = []
    for who in badge_guests(book):
        token = make_token(key, book.event, who.guest.id)
        badges.append(Badge(who, token, qr_svg(token), seats.get(who.guest.id)))
    texts = [book.event or ""] + [b.who.guest.name + "".join(badge_texts(book, b.who, b.seat))
                                  for b in badges]  # fmt: skip
    families, folders = font_families("".join(texts))
    markup = badges_markup(book, badges, paper, families)  # type: ignore[arg-type]
    write_output(output, compile_pdf(markup, folders), stdout_ok=False)
    say_written(output)
