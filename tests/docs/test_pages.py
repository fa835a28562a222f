"""The pages read the same on GitHub and on the site.

GitHub's Markdown and the site's (Python-Markdown) differ in two ways that
silently flatten a page on the site: a list needs a blank line before it,
and a nested list needs four spaces of indent (GitHub takes two).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

# CHANGELOG.md is on the site too (docs/hooks/changelog.py).
PAGES = sorted((ROOT / "docs").glob("*.md")) + sorted(ROOT.glob("CHANGELOG.md"))
_ITEM = re.compile(r"^(?P<indent> *)(?:[-*+]|\d+\.) ")


def _prose_lines(page: Path) -> Iterator[tuple[int, str]]:
    """The lines outside fenced code blocks, numbered from 1."""
    fenced = False
    for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced:
            yield number, line


def _lists_glued_to_a_paragraph(page: Path) -> list[str]:
    problems, previous, in_list = [], "", False
    for number, line in _prose_lines(page):
        if _ITEM.match(line):
            if previous.strip() and not in_list and not previous.lstrip().startswith("|"):
                problems.append(f"{page.name}:{number}: put a blank line before this list")
            in_list = True
        elif not line.strip():
            in_list = False
        previous = line
    return problems


def _nested_items_indented_by_two(page: Path) -> list[str]:
    return [
        f"{page.name}:{number}: indent a nested list item by four spaces"
        for number, line in _prose_lines(page)
        if (m := _ITEM.match(line)) and len(m["indent"]) % 4
    ]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_lists_render_as_lists_on_the_site(page: Path) -> None:
    assert not _lists_glued_to_a_paragraph(page) + _nested_items_indented_by_two(page)


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    page = tmp_path / "p.md"
    page.write_text(
        "Text\n- glued\n\n- fine\n  - two spaces\n    - four\n\n```\nText\n- code\n```\n",
        encoding="utf-8",
    )
    assert _lists_glued_to_a_paragraph(page) == ["p.md:2: put a blank line before this list"]
    assert _nested_items_indented_by_two(page) == [
        "p.md:5: indent a nested list item by four spaces"
    ]
