"""The run of show: every unit at the stand, the flypasts, the music cues, the window (pure)."""

from __future__ import annotations

from paradeops.reports.papers.common import PapersInput, at_stand, name_of, title_block, when
from paradeops.reports.papers.markup import heading, small, table, text
from paradeops.reports.times import clock
from paradeops.timing.schedule import Schedule, UnitSchedule

__all__ = ["run_of_show"]


def run_of_show(data: PapersInput) -> str:
    """Markup of the run of show (no page setup)."""
    parts = [title_block(data, "Run of show"), _units(data)]
    flypasts = [u for u in data.schedule.units if u.trajectory is None]
    if flypasts:
        parts.append(_flypasts(data.schedule, flypasts))
    if data.music is not None and data.music.sheets:
        parts.append(_music(data))
    errors = [f for f in data.schedule.findings if f.severity == "error"]
    if errors:
        parts.append(heading(2, "Errors in the plan"))
        parts.extend(f"- {text(f.message)}\n" for f in errors)
    return "\n".join(parts)


def _notes(data: PapersInput, u: UnitSchedule) -> list[str]:
    """What the stand should know beside the times: debut, show stop, holds, flypast."""
    s = data.schedule
    notes = []
    if u.debut:
        notes.append("debut")
    stop = u.at(s.reviewing.id)
    if stop is not None and stop.head_leaves is not None:
        notes.append(
            f"halts {stop.head_leaves - stop.head:.0f} s, moves on {clock(s, stop.head_leaves)}"
        )
    if u.held_s >= 1:
        notes.append(f"held {u.held_s:.0f} s on the way")
    if u.trajectory is None:
        over = next(c.name for c in s.checkpoints if c.id == u.checkpoint_ids[0])
        notes.append(f"flypast over {over}")
    # The gap ahead only where the timing engine found it too wide: every
    # unit has one, and a column of "20 m" would hide the one that matters.
    wide = any(f.kind == "gap" and f.unit == u.id for f in s.findings)
    if wide and u.gap_ahead_m is not None:
        notes.append(f"gap ahead {u.gap_ahead_m:.0f} m")
    return notes


def _units(data: PapersInput) -> str:
    s = data.schedule
    rows = []
    for number, u in enumerate(s.units, start=1):
        times = at_stand(s, u)
        if u.trajectory is None:
            head, tail = when(s, u.heads[0]), text("")
        elif times is None:
            head, tail = text("—"), text("—")
        else:
            head, tail = when(s, times[0]), when(s, times[1])
        notes = _notes(data, u)
        name = text(name_of(u)) + (f" \\\n{small(text(' · '.join(notes)))}" if notes else "")
        rows.append([text(str(number)), head, tail, name, text(u.kind)])
    return heading(2, "Order of march at ", s.reviewing.name, sep="") + table(
        ["auto", "auto", "auto", "1fr", "auto"],
        ["No.", "Head", "Tail", "Unit", "Kind"],
        rows,
    )


def _flypasts(s: Schedule, flypasts: list[UnitSchedule]) -> str:
    names = {c.id: c.name for c in s.checkpoints}
    rows = [
        [when(s, u.heads[0]), text(names[u.checkpoint_ids[0]]), text(name_of(u))]
        for u in sorted(flypasts, key=lambda u: float(u.heads[0]))
    ]
    return heading(2, "Flypasts") + table(
        ["auto", "auto", "1fr"], ["Over", "Where", "Aircraft"], rows
    )


def _music(data: PapersInput) -> str:
    """Every playing of every piece, in time order, with the unit that cues it."""
    s = data.schedule
    assert data.music is not None
    names = {u.id: name_of(u) for u in s.units}
    cues = sorted(
        ((sheet.name, cue) for sheet in data.music.sheets for cue in sheet.cues),
        key=lambda pair: pair[1].start,
    )
    rows = []
    for band, cue in cues:
        title = cue.title + (f" ({cue.composer})" if cue.composer else "")
        if cue.repeat:
            title += f", repeat {cue.repeat}"
        cued = names.get(cue.cued_by, cue.cued_by) if cue.cued_by else ""
        rows.append(
            [when(s, cue.start), when(s, cue.end), text(band), text(title), text(cued or "")]
        )
    return heading(2, "Music") + table(
        ["auto", "auto", "27%", "1fr", "24%"],
        ["From", "To", "Band", "Piece", "Cued by the head of"],
        rows,
    )
