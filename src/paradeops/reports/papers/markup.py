"""Typst markup from data, every user string printed literally (pure).

Names in a plan are hostile input: ``#read("/etc/passwd")``, ``*``, ``_``,
``$``, ``@``, ``<``, a backquote, ``//`` or ``=`` at the start of a line are
all syntax in Typst markup. Rather than escape each markup character (a list
that grows with Typst: ``--``, ``...``, ``~``, smart quotes, ``http://``
links, headings), a user string is written as a Typst *string literal*, in
which only the backslash, the double quote and control characters are
special, and placed as ``#"…";`` in markup: the string's text is shown as it
is and nothing in it is evaluated. The ``;`` ends the embedded expression, so
whatever markup follows (``[``, ``.``, ``(``) cannot continue it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Literal

__all__ = [
    "CHECKBOX",
    "PAGE_BREAK",
    "PAPER_SIZES",
    "Paper",
    "bold",
    "cell",
    "facts",
    "heading",
    "joined",
    "lit",
    "page_setup",
    "small",
    "table",
    "text",
]

Paper = Literal["a4", "letter"]
#: Paper sizes: the option's value → Typst's name for it.
PAPER_SIZES = {"a4": "a4", "letter": "us-letter"}

#: An empty box to tick by hand.
CHECKBOX = "#box(width: 3.2mm, height: 3.2mm, stroke: 0.6pt, baseline: 0.5mm)"

#: Letters of right-to-left scripts (Hebrew, Arabic, Syriac, Thaana, N'Ko, …, presentation forms).
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def lit(value: str) -> str:
    """``value`` as a Typst string literal (code mode): ``"a \\"b\\""``.

    Control and format characters other than newline, return and tab are
    written as ``\\u{…}`` escapes: they reach the page as themselves, and no
    raw byte of them can end the literal or the line.
    """
    parts = []
    for ch in value:
        if ch in _ESCAPES:
            parts.append(_ESCAPES[ch])
        elif unicodedata.category(ch) in ("Cc", "Cs") or ch in "\u2028\u2029":
            parts.append(f"\\u{{{ord(ch):x}}}")
        else:
            parts.append(ch)
    return '"' + "".join(parts) + '"'


#: Bidi formatting characters: marks (ALM, LRM, RLM), embeddings, overrides and isolates.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_ISOLATE_OPENERS = "\u2066\u2067\u2068"
_PDI = "\u2069"


def text(value: str) -> str:
    """Markup that prints ``value`` literally: ``#"value";``.

    A string with right-to-left letters or bidi formatting characters is
    isolated (U+2068 … U+2069): an Arabic name, or a Latin one ending in a
    RIGHT-TO-LEFT MARK, would otherwise draw the numbers and words around it
    into its direction (``1 / 12`` after it printed as ``12 / 1``).
    """
    if _RTL.search(value) or _BIDI_CONTROLS.search(value):
        value = f"\u2068{_balanced_isolates(value)}\u2069"
    return f"#{lit(value)};"


def _balanced_isolates(value: str) -> str:
    """``value`` with its isolates balanced, so that the isolate around it holds.

    A stray U+2069 would close the surrounding isolate early and one left
    open would take its closing U+2069: the stray one is dropped (it has no
    glyph), the open ones are closed at the end.
    """
    kept, depth = [], 0
    for ch in value:
        if ch in _ISOLATE_OPENERS:
            depth += 1
        elif ch == _PDI:
            if depth == 0:
                continue
            depth -= 1
        kept.append(ch)
    return "".join(kept) + _PDI * depth


def cell(*parts: str) -> str:
    """A content block (``[…]``) of markup parts, for a table cell or a function argument."""
    return "[" + " ".join(parts) + "]"


def table(
    columns: Sequence[str],
    header: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    align: Sequence[str] | None = None,
) -> str:
    """A Typst table whose header repeats on every page.

    ``columns`` are Typst track sizes (``"auto"``, ``"1fr"``, ``"18mm"``);
    ``header`` holds plain strings (printed literally), every row one markup
    string per column (already escaped: made with :func:`text`).
    """
    body = ["#table(", f"  columns: ({', '.join(columns)},),"]
    if align is not None:
        body.append(f"  align: ({', '.join(align)},),")
    body.append("  table.header(" + ", ".join(cell(text(h)) for h in header) + "),")
    for row in rows:
        body.append("  " + ", ".join(cell(c) for c in row) + ",")
    body.append(")")
    return "\n".join(body)


def page_setup(*, title: str, footer: Sequence[str], paper: Paper, families: Sequence[str]) -> str:
    """The document's settings: paper, margins, fonts, footer with page numbers.

    ``families``: font families in order of preference; a glyph comes from the
    first that has it (Typst's fallback then tries its own embedded fonts).
    """
    fonts = ", ".join(lit(f) for f in families)
    return "\n".join(
        [
            f"#set document(title: {lit(title)})",
            f'#set page(paper: "{PAPER_SIZES[paper]}", margin: (x: 14mm, top: 14mm, bottom: 16mm),',
            "  footer: context [#set text(size: 7.5pt, fill: luma(90));"
            f' {joined(footer)} #h(1fr) #counter(page).display("1 / 1", both: true)])',
            f"#set text(font: ({fonts},), size: 9pt)",
            "#set par(justify: false)",
            "#set table(stroke: 0.4pt + luma(150), inset: (x: 4pt, y: 3.5pt))",
            '#show table.cell.where(y: 0): set text(weight: "bold")',
            "#show heading: set block(below: 0.8em)",
            "",
        ]
    )


def joined(parts: Sequence[str], sep: str = " — ") -> str:
    """Strings printed literally, one after the other with ``sep``: each its own bidi isolate."""
    return text(sep).join(text(p) for p in parts)


def heading(level: int, *parts: str, sep: str = " — ") -> str:
    """A heading of ``parts`` (printed literally) on a line of its own."""
    return f"\n{'=' * level} {joined(parts, sep)}\n"


def facts(rows: Iterable[tuple[str, str]]) -> str:
    """Label and value pairs in two columns, without rules (values: markup)."""
    cells = [f"{cell(text(label))}, {cell(value)}" for label, value in rows]
    if not cells:
        return ""
    return (
        "#grid(columns: (auto, 1fr), column-gutter: 6mm, row-gutter: 2.2mm,\n  "
        + ",\n  ".join(cells)
        + ",\n)\n"
    )


def small(markup: str) -> str:
    """``markup`` in smaller, grey type (notes under a name)."""
    return f"#text(size: 7.5pt, fill: luma(70))[{markup}]"


def bold(markup: str) -> str:
    return f"#strong[{markup}]"


PAGE_BREAK = "\n#pagebreak(weak: true)\n"
