"""``print``: the papers of the day as a PDF, typeset by Typst.

The documents are built as Typst markup by :mod:`paradeops.reports.papers`
(pure); this adapter finds the fonts on this machine, compiles the markup
with Typst's Python package (the ``print`` extra) and writes the file.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, cast

import typer

from paradeops.cli.app import app
from paradeops.cli.output import PlanArg, refuse_input_as_output, say_written, write_output
from paradeops.errors import UserError
from paradeops.extras import require

if TYPE_CHECKING:
    from paradeops.model.plan import Plan
    from paradeops.reports.papers import Call, PapersInput
    from paradeops.reports.papers import What as PaperName
    from paradeops.reports.papers.fonts import Font
    from paradeops.timing.schedule import Schedule

__all__ = ["compile_pdf", "font_families"]


class What(StrEnum):
    run_of_show = "run-of-show"
    marshals = "marshals"
    announcer = "announcer"
    units = "units"
    all = "all"
    badges = "badges"


class PaperSize(StrEnum):
    a4 = "a4"
    letter = "letter"


@app.command(name="print")
def print_papers(
    plan: PlanArg,
    what: Annotated[
        What,
        typer.Option(
            "--what",
            help="run-of-show, marshals (a sheet per checkpoint), announcer, units "
            "(a call sheet per unit), all; or badges (give a guest file instead of a plan)",
        ),
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The PDF to write: FILE.pdf", show_default=False)
    ],
    paper: Annotated[PaperSize, typer.Option("--paper", help="Paper size")] = PaperSize.a4,
    badge_key_file: Annotated[
        Path | None,
        typer.Option(
            "--badge-key-file",
            help="badges: the badge key (default paradeops.badge.key; PARADEOPS_BADGE_KEY wins)",
        ),
    ] = None,
    seating: Annotated[
        Path | None,
        typer.Option(
            "--seating",
            help="badges: seats from `paradeops seat --format csv -o FILE` (section, row, seat)",
        ),
    ] = None,
) -> None:
    """The papers of the day as a PDF: run of show, marshals, announcer, units; badges."""
    if str(output) == "-":
        raise UserError(
            "a PDF cannot go to standard output",
            field="--output",
            hint="name a .pdf file to write",
        )
    if output.suffix.lower() != ".pdf":
        raise UserError(
            f"cannot write the papers as {output.suffix or 'a file without extension'}",
            field="--output",
            hint="name the file .pdf",
        )
    inputs = [p for p in (plan, seating, badge_key_file) if p is not None]
    refuse_input_as_output(output, inputs, field="--output")
    if what is What.badges:
        from paradeops.cli.badge_commands import print_badges

        print_badges(plan, output, paper.value, badge_key_file, seating)
        return
    require("typst", what="paradeops print")
    from paradeops.cli.plan_commands import load_and_schedule
    from paradeops.composition.music import music_report
    from paradeops.reports.papers import PapersInput, papers_markup

    p, s = load_and_schedule(plan)
    data = PapersInput(p, s, music_report(p, s), _calls(p, s, str(plan)))
    families, folders = font_families(p.parade.name + "".join(_names(data)))
    # Every value but badges (which returned above) names a paper.
    markup = papers_markup(data, cast("PaperName", what.value), paper.value, families)
    write_output(output, compile_pdf(markup, folders), stdout_ok=False)
    say_written(output)


def _calls(p: Plan, s: Schedule, file: str) -> dict[str, Call]:
    """Each unit's call time, area and time to leave it, when the plan has an assembly."""
    if p.assembly is None:
        return {}
    from paradeops.cli.staging_commands import check_assembly
    from paradeops.reports.papers import Call
    from paradeops.staging.core import stage

    check_assembly(p, file)
    names = {a.id: a.name or a.id for a in p.assembly.areas}
    return {
        c.unit: Call(c.call, None if c.area is None else names[c.area], c.leave)
        for c in stage(p, s).units
    }


def _names(data: PapersInput) -> list[str]:
    """Every string of the plan a paper may print (for the scripts they need)."""
    s = data.schedule
    texts = [s.window_name, *(c.name for c in s.checkpoints)]
    for u in s.units:
        texts += [u.name, u.description or ""]
    if data.music is not None:
        for sheet in data.music.sheets:
            texts += [sheet.name, *(c.title + (c.composer or "") for c in sheet.cues)]
    return texts


def font_families(text: str) -> tuple[list[str], list[Path]]:
    """The font families for ``text``, preferred first, and the folders Typst must search.

    A script (Arabic, CJK) whose font is not installed is a user error naming
    the Debian package that brings it: Typst would print empty boxes.
    """
    from paradeops.reports.papers.fonts import EMBEDDED_FAMILY, FONTS, scripts_in

    present = [f for f in FONTS if f.file.is_file()]
    missing = [f for f in FONTS if f.script in scripts_in(text) and f not in present]
    if missing:
        raise _missing_fonts(missing)
    folders = sorted({f.file.parent for f in present})
    return [*(f.family for f in present), EMBEDDED_FAMILY], folders


def _missing_fonts(missing: list[Font]) -> UserError:
    scripts = " and ".join(f.script for f in missing)
    packages = " ".join(sorted({f.package for f in missing}))
    files = ", ".join(str(f.file) for f in missing)
    return UserError(
        f"the papers have {scripts} text, and its font is not installed ({files})",
        hint=f"install Debian's {packages} (apt-get install {packages}), or the same Noto fonts",
    )


def compile_pdf(markup: str, font_folders: list[Path]) -> bytes:
    """PDF of a Typst document, with Typst's own fonts and those of ``font_folders`` only.

    System fonts are not searched: the same plan prints the same on every
    machine that has the fonts named in :mod:`paradeops.reports.papers.fonts`.
    """
    import typst

    # The stubs tie the font paths' type to the input's (bytes here, for a
    # document in memory): the folders are names, given as str.
    compile_document: Any = typst.compile
    pdf = compile_document(
        markup.encode("utf-8"),
        font_paths=[str(f) for f in font_folders],
        ignore_system_fonts=True,
        format="pdf",
    )
    assert isinstance(pdf, bytes)
    return pdf
