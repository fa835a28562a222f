"""Plan strings in the papers are bidi-isolated wherever they are printed.

The tester's finding: a parade named ``Evil #parade`` followed by U+200F
(RIGHT-TO-LEFT MARK) turned the page footer around: ``Evil #parade 21 / 1``
instead of ``… 1 / 21``. The mark has no letter of a right-to-left script,
so the name was not isolated and its direction leaked into the page number.
"""

from __future__ import annotations

from pathlib import Path

import pypdf

from tests.conftest import EXAMPLES, Run

CITY = EXAMPLES / "city-parade" / "plan.yaml"


def footer_lines(pdf: Path) -> list[str]:
    """The last line of each page as laid out (left to right on the page): the footer."""
    return [
        " ".join(page.extract_text(extraction_mode="layout").strip().splitlines()[-1].split())
        for page in pypdf.PdfReader(pdf).pages
    ]


def test_a_right_to_left_mark_in_the_name_does_not_turn_the_page_number(
    cli: Run, tmp_path: Path
) -> None:
    plan = tmp_path / "plan.yaml"
    text = CITY.read_text(encoding="utf-8")
    old = "  name: Riverside City Carnival 2025\n"
    assert old in text
    plan.write_text(text.replace(old, '  name: "Evil #parade\\u200F"\n', 1), encoding="utf-8")
    out = tmp_path / "ros.pdf"
    r = cli("print", plan, "--what", "run-of-show", "-o", out)
    assert r.code == 0, r.err
    footers = footer_lines(out)
    n = len(footers)
    assert n >= 2  # a page number that could be read backwards: "2 / 1"
    for k, footer in enumerate(footers, start=1):
        # The parade's name, its date, then "k / n", left to right.
        assert footer == f"Evil #parade — 2025-08-23 {k} / {n}", footer


def test_a_stray_or_open_isolate_in_a_string_cannot_break_the_isolate_around_it() -> None:
    from paradeops.reports.papers.markup import text

    # A stray POP DIRECTIONAL ISOLATE would close ours early: dropped.
    assert text("Evil\u2069\u200f") == '#"\u2068Evil\u200f\u2069";'
    # An isolate left open would take our closing one: closed first.
    assert text("\u2067Evil") == '#"\u2068\u2067Evil\u2069\u2069";'
    # A string with no right-to-left letter or bidi control is printed as it is.
    assert text("Evil #parade") == '#"Evil #parade";'
