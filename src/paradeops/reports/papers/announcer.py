"""The announcer's script: a block per unit in order of march, its time at the stand (pure)."""

from __future__ import annotations

from paradeops.reports.papers.common import PapersInput, at_stand, name_of, title_block, when
from paradeops.reports.papers.markup import bold, small, text
from paradeops.reports.times import clock
from paradeops.timing.schedule import UnitSchedule

__all__ = ["announcer_script"]


def announcer_script(data: PapersInput) -> str:
    """Markup of the script: the time on the left, the name and what to say on the right."""
    s = data.schedule
    blocks = [title_block(data, "Announcer's script")]
    for number, u in enumerate(s.units, start=1):
        blocks.append(_block(data, number, u))
    return "\n".join(blocks)


def _block(data: PapersInput, number: int, u: UnitSchedule) -> str:
    s = data.schedule
    times = at_stand(s, u)
    if u.trajectory is None:
        over = next(c.name for c in s.checkpoints if c.id == u.checkpoint_ids[0])
        time, detail = when(s, u.heads[0]), f"Flypast over {over}"
    elif times is None:
        time, detail = text("—"), "Does not pass the stand"
    else:
        head, tail = times
        time, detail = when(s, head), f"Head at the stand; tail passes {clock(s, tail)}"
        stop = u.at(s.reviewing.id)
        if stop is not None and stop.head_leaves is not None:
            detail += f"; show stop of {stop.head_leaves - head:.0f} s"
    said = [text(u.description)] if u.description else []
    if u.debut:
        said.append(bold(text("First appearance in a parade.")))
    lines = " \\\n".join([bold(text(f"{number}. ") + text(name_of(u))), small(text(detail)), *said])
    # A block is not split across pages: the announcer reads it in one go.
    return (
        "#block(breakable: false, above: 3.5mm, below: 3.5mm, stroke: (top: 0.4pt + luma(170)),"
        " inset: (top: 2.5mm))[#grid(columns: (20mm, 1fr), column-gutter: 4mm,"
        f' [#text(size: 11pt, weight: "bold")[{time}]], [{lines}])]'
    )
