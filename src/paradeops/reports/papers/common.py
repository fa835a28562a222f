"""What every paper shares: its input, names, times and the title block (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from paradeops.composition.music import MusicReport
from paradeops.model.plan import Plan
from paradeops.reports.papers.markup import facts, heading, text
from paradeops.reports.schedule_table import duration, zone_note
from paradeops.reports.times import clock
from paradeops.timing.schedule import Schedule, UnitSchedule

__all__ = ["Call", "PapersInput", "at_stand", "name_of", "title_block", "when"]


@dataclass(frozen=True)
class Call:
    """Where and when a unit is called before it steps off (from the plan's ``assembly:``).

    A plan without that section has none, and a call sheet then leaves these
    lines out.
    """

    call_time: float | None = None  # [s from the reference]
    area: str | None = None
    leave_area: float | None = None  # [s from the reference]


@dataclass(frozen=True)
class PapersInput:
    plan: Plan
    schedule: Schedule
    music: MusicReport | None = None
    calls: Mapping[str, Call] = field(default_factory=dict)


def name_of(u: UnitSchedule) -> str:
    return u.name or u.id


def when(s: Schedule, seconds: float) -> str:
    """A clock time as markup (``HH:MM:SS``, ``(+1)`` on the next day)."""
    return text(clock(s, seconds))


def at_stand(s: Schedule, u: UnitSchedule) -> tuple[float, float] | None:
    """Head and tail of ``u`` at the reviewing stand [s], or None if it does not pass it."""
    p = u.at(s.reviewing.id)
    return None if p is None else (p.head, p.tail)


def title_block(data: PapersInput, what: str) -> str:
    """The paper's title, the parade, its date and zone, and the stand's times."""
    s = data.schedule
    sm = s.summary
    rows = [
        ("Date and zone", text(zone_note(s))),
        ("Reviewing stand", text(s.reviewing.name)),
        (
            "At the stand",
            f"{when(s, sm.reviewing_first_head)} – {when(s, sm.reviewing_last_tail)}"
            f" {text(f'({duration(sm.reviewing_last_tail - sm.reviewing_first_head)})')}",
        ),
    ]
    if s.window_end is not None:
        margin = s.window_end - sm.reviewing_last_tail
        spare = f"{duration(margin)} to spare" if margin >= 0 else f"{duration(-margin)} LATE"
        rows.append(
            (f"End of the {s.window_name}", f"{when(s, s.window_end)} {text(f'({spare})')}")
        )
    return heading(1, what, data.plan.parade.name) + facts(rows)
