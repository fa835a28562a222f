"""CSV cells a spreadsheet would run as formulas are written as text (OWASP), numbers stay.

Names come from files someone else wrote: a unit called ``=HYPERLINK(...)``
must reach the organiser's spreadsheet as that text, not as a link.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from paradeops.reports.csv_text import csv_text, safe_cell
from tests.conftest import Run, plan_text


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("-", "'-"),
        # Numbers, and text that no spreadsheet evaluates, are left as they are.
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("-1e3", "-1e3"),
        ("2025-05-09T10:00:00+03:00", "2025-05-09T10:00:00+03:00"),
        ("Band = music", "Band = music"),
        ("Сводный полк", "Сводный полк"),
        ("", ""),
    ],
)
def test_safe_cell(cell: str, written: str) -> None:
    assert safe_cell(cell) == written


def test_values_that_are_not_text_pass_unchanged() -> None:
    assert safe_cell(-12.5) == -12.5
    assert safe_cell(3) == 3
    assert safe_cell(None) is None


@given(st.text())
def test_no_written_cell_starts_a_formula_unless_it_is_a_number(text: str) -> None:
    cell = safe_cell(text)
    if cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        float(cell)  # a number as written (raises otherwise)
    assert cell in (text, "'" + text)


def test_csv_text_reads_back_as_written() -> None:
    text = csv_text(("name", "offset"), [("=1+1", "-3.5"), {"name": "ok", "offset": "4"}])
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "offset"],
        ["'=1+1", "-3.5"],
        ["ok", "4"],
    ]


def test_schedule_csv_writes_hostile_names_as_text(cli: Run, tmp_path: Path) -> None:
    units = (
        '- {id: a, name: "=HYPERLINK(\\"http://evil\\",\\"x\\")", kind: foot, ranks: 2,'
        " speed_kmh: 5}\n"
        '- {id: b, name: "@SUM(1+1)", kind: foot, ranks: 2, speed_kmh: 5}\n'
        '- {id: c, name: "-2+3|cmd", kind: foot, ranks: 2, speed_kmh: 5}\n'
    )
    plan = tmp_path / "plan.yaml"
    plan.write_text(plan_text(units))
    out = tmp_path / "schedule.csv"
    r = cli("schedule", plan, "--format", "csv", "-o", out)
    assert r.code == 0, r.err
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    names = {row["unit_id"]: row["unit_name"] for row in rows}
    assert names == {
        "a": '\'=HYPERLINK("http://evil","x")',
        "b": "'@SUM(1+1)",
        "c": "'-2+3|cmd",
    }
    # Numbers stay numbers: 2 ranks at 1.4 m and the last rank's 0.5 m.
    assert {row["length_m"] for row in rows} == {"1.9"}
    assert all(not row["held_s"].startswith("'") for row in rows)


def test_seating_csv_writes_hostile_names_as_text(cli: Run, tmp_path: Path, examples: Path) -> None:
    pytest.importorskip("ortools")
    book = (examples / "victory-day-2025" / "guests.yaml").read_text(encoding="utf-8")
    hostile = book.replace("name: Yuri Ushakov,", 'name: "=HYPERLINK(\\"http://evil\\",\\"x\\")",')
    assert hostile != book
    guests = tmp_path / "guests.yaml"
    guests.write_text(hostile, encoding="utf-8")
    out = tmp_path / "seating.csv"
    tribunes = examples / "victory-day-2025" / "tribunes.yaml"
    r = cli("seat", guests, tribunes, "-o", out, "--format", "csv", "--time-limit", "20")
    assert r.code == 0, r.err
    rows = {row["guest"]: row for row in csv.DictReader(io.StringIO(out.read_text()))}
    assert rows["ushakov"]["name"] == '\'=HYPERLINK("http://evil","x")'
    assert rows["ushakov"]["row"].isdigit()  # numbers stay numbers
