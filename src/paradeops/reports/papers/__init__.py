"""The papers of the day as Typst markup: run of show, marshals, announcer, call sheets (pure).

Data in, a Typst document (a string) out: :func:`papers_markup`. Every string
of the plan is printed literally (:mod:`.markup`). Compiling it to PDF, with
the fonts of the system, is the command line's job (``paradeops print``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from paradeops.reports.papers.announcer import announcer_script
from paradeops.reports.papers.call_sheets import call_sheets
from paradeops.reports.papers.common import Call, PapersInput
from paradeops.reports.papers.markup import PAGE_BREAK, Paper, page_setup
from paradeops.reports.papers.marshals import marshal_sheets
from paradeops.reports.papers.run_of_show import run_of_show

__all__ = ["PAPERS", "Call", "Paper", "PapersInput", "What", "papers_markup"]

What = Literal["run-of-show", "marshals", "announcer", "units", "all"]

#: Each paper, in the order ``all`` prints them.
PAPERS: dict[str, tuple[str, Callable[[PapersInput], str]]] = {
    "run-of-show": ("Run of show", run_of_show),
    "marshals": ("Marshals' sheets", marshal_sheets),
    "announcer": ("Announcer's script", announcer_script),
    "units": ("Call sheets", call_sheets),
}


def papers_markup(data: PapersInput, what: What, paper: Paper, families: Sequence[str]) -> str:
    """The Typst document of paper ``what`` (or ``all`` of them, each from a new page)."""
    names = list(PAPERS) if what == "all" else [what]
    title = f"{data.plan.parade.name}: " + ", ".join(PAPERS[n][0] for n in names)
    setup = page_setup(
        title=title,
        footer=[data.plan.parade.name, data.plan.parade.date.isoformat()],
        paper=paper,
        families=families,
    )
    return setup + PAGE_BREAK.join(PAPERS[n][1](data) for n in names)
