from __future__ import annotations

import re

from rich.table import Table

from paradeops.reports.schedule_json import iso_clock
from paradeops.reports.schedule_table import (
    duration,
    findings_table,
    hms,
    natural_width,
    render_text,
    schedule_table,
)
from paradeops.timing.schedule import Schedule


def test_table_has_a_row_per_unit_and_a_column_per_checkpoint(small_schedule: Schedule) -> None:
    table = schedule_table(small_schedule)
    assert isinstance(table, Table)
    assert table.row_count == len(small_schedule.units)
    headers = [str(c.header) for c in table.columns]
    for c in small_schedule.checkpoints:
        assert any(h.startswith(c.id) for h in headers)


def test_render_text_shows_every_unit_findings_and_summary(small_schedule: Schedule) -> None:
    text = render_text(small_schedule)
    assert "\x1b[" not in text
    for u in small_schedule.units:
        assert u.id in text
    assert "10:00:00–10:00:02" in text  # colour guard's head–tail at the start point
    assert "✈ 10:09:00" in text
    assert "⏸1:00" in text  # the float's show stop
    assert "Findings" in text and "flypast" in text and "catch_up" in text
    assert "window end" in text and "late" in text


def test_big_schedule_lists_all_units_without_cut_times(big_schedule: Schedule) -> None:
    text = render_text(big_schedule)
    assert all(u.id in text for u in big_schedule.units)
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= natural_width(big_schedule) + 2


def test_narrow_width_stacks_head_over_tail(small_schedule: Schedule) -> None:
    text = render_text(small_schedule, width=115)
    assert max(len(line) for line in text.splitlines()) <= 115
    assert "10:00:00–10:00:02" not in text
    lines = text.splitlines()
    i = next(n for n, line in enumerate(lines) if "colour-guard" in line)
    assert "10:00:00" in lines[i] and "10:00:02" in lines[i + 1]


def test_findings_table_none_without_findings(small_schedule: Schedule) -> None:
    from dataclasses import replace

    assert findings_table(replace(small_schedule, findings=())) is None


def test_duration() -> None:
    assert duration(65.4) == "1:05"
    assert duration(3725) == "1:02:05"
    assert duration(-30) == "-0:30"


def test_displayed_times_round_half_up_from_the_json_tenth(small_schedule: Schedule) -> None:
    # The reference is 10:00:00 (Europe/Moscow). Hand-worked: the JSON keeps the
    # tenth, the table rounds it half up, so the two always agree.
    s = small_schedule
    assert (hms(s, 37.5), hms(s, 42.5)) == ("10:00:38", "10:00:43")
    assert iso_clock(s, 42.46).endswith("10:00:42.5+03:00")
    assert hms(s, 42.46) == "10:00:43"  # not :42, which the raw value would round to
    assert hms(s, 42.44) == "10:00:42"
    assert (duration(42.5), duration(41.5), duration(3599.5)) == ("0:43", "0:42", "1:00:00")


def _lines(table: Table) -> list[str]:
    from rich.console import Console

    console = Console(width=300, color_system=None, record=True)
    with console.capture() as capture:
        console.print(table)
    return capture.get().splitlines()


def test_findings_show_the_unit_name_beside_its_id(small_schedule: Schedule) -> None:
    # The names the fixture gives (tests/reports/conftest.py).
    names = {"colour-guard": "Colour guard", "float-1": "Victory float",
             "t90m": "T-90M main battle tanks", "band": "Massed bands",
             "flypast-1": "Su-30SM × 6"}  # fmt: skip
    table = findings_table(small_schedule)
    assert table is not None
    assert [str(c.header) for c in table.columns][2:4] == ["unit", "name"]
    lines = _lines(table)
    for f in small_schedule.findings:
        rows = [x for x in lines if x.split()[1:3] == [f.kind, f.unit]]
        # the name in the next column: after the id and the column's padding
        assert rows and all(re.search(rf" {re.escape(f.unit)} +{re.escape(names[f.unit])} ", row)
                            for row in rows)  # fmt: skip
    (flypast,) = [x for x in lines if " flypast " in x]
    assert flypast.split()[:5] == ["error", "flypast", "flypast-1", "Su-30SM", "×"]


def test_findings_have_no_name_column_when_names_are_the_ids(small_schedule: Schedule) -> None:
    from dataclasses import replace

    s = replace(small_schedule, units=tuple(replace(u, name=u.id) for u in small_schedule.units))
    table = findings_table(s)
    assert table is not None
    assert [str(c.header) for c in table.columns] == [
        "severity", "kind", "unit", "checkpoint", "time", "message"]
