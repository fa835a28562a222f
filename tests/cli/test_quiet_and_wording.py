"""-q says nothing but errors; counts agree with their nouns; the schedule's title
gives the plan's parade date (found by the outside tester)."""

from __future__ import annotations

from pathlib import Path

import pytest

from paradeops.reports.words import counted
from tests.conftest import Run, plan_text

BOX = "- {id: box, kind: foot, ranks: 10, files: 10, rank_spacing_m: 1.4, speed_kmh: 5}\n"


def _plan(tmp_path: Path, text: str) -> Path:
    plan = tmp_path / "plan.yaml"
    plan.write_text(text)
    return plan


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_quiet_writes_the_file_and_says_nothing(cli: Run, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "out.txt"
    r = cli("-q", "schedule", _plan(tmp_path, plan_text(BOX)), "--format", fmt, "-o", out)
    assert r.code == 0, r.err
    assert out.stat().st_size > 0
    assert r.err == ""


def test_without_quiet_the_file_is_named(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    r = cli("schedule", _plan(tmp_path, plan_text(BOX)), "--format", "json", "-o", out)
    assert r.code == 0 and r.err.strip() == f"wrote {out}"


def test_quiet_still_prints_errors(cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    bad = plan_text(BOX).replace("speed_kmh: 5", "speed_kmh: true")
    r = cli("-q", "schedule", _plan(tmp_path, bad), "--format", "json", "-o", out)
    assert r.code == 2 and "units[0].speed_kmh" in r.err and not out.exists()


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0 warnings"), (1, "1 warning"), (2, "2 warnings"), (11, "11 warnings")]
)
def test_counted(n: int, text: str) -> None:
    assert counted(n, "warning") == text


def test_one_warning_is_singular_in_the_summary(cli: Run, tmp_path: Path) -> None:
    # max_gap_m 10: the 50 m gap before the second box opens in front of the
    # tribune, one `gap` warning and no error.
    units = BOX + BOX.replace("id: box", "id: box2, gap_m: 50")
    text = plan_text(units, extra="defaults: {max_gap_m: 10}\n")
    r = cli("schedule", _plan(tmp_path, text), "--format", "table")
    assert r.code == 0, r.err
    assert "findings              0 errors, 1 warning " in r.out, r.out


@pytest.mark.parametrize(
    "start", ['"24:30:00"', '"2025-05-09T23:30:00+01:00"'], ids=["24:30", "instant"]
)
def test_the_title_gives_the_parade_date_after_midnight(
    cli: Run, tmp_path: Path, start: str
) -> None:
    # Both start at 00:30 or 01:30 on 10 May in Moscow: a parade of 9 May.
    text = plan_text(BOX).replace('start: "10:00:00"', f"start: {start}")
    r = cli("schedule", _plan(tmp_path, text), "--format", "table")
    assert r.code == 0, r.err
    title = r.out.splitlines()[0]
    assert "parade of 2025-05-09; times on 2025-05-10, Europe/Moscow" in title, title


def test_the_title_is_the_date_alone_on_the_day(cli: Run, tmp_path: Path) -> None:
    r = cli("schedule", _plan(tmp_path, plan_text(BOX)), "--format", "table")
    title = r.out.splitlines()[0]
    assert "(2025-05-09, Europe/Moscow, UTC+03:00)" in title and "parade of" not in title


def test_quiet_guests_import_writes_and_says_nothing(cli: Run, tmp_path: Path) -> None:
    rows = tmp_path / "guests.csv"
    rows.write_text("id,name,country\nfr-president,President of France,FR\n")
    out = tmp_path / "guests.yaml"
    r = cli("-q", "guests", "import", rows, "--host-country", "RU", "-o", out)
    assert r.code == 0, r.err
    assert "fr-president" in out.read_text() and r.err == ""
    r = cli("guests", "import", rows, "--host-country", "RU", "-o", out)
    assert r.code == 0, r.err
    assert r.err.splitlines() == [
        f"note: {rows}: read as UTF-8, columns separated by commas",
        f"wrote {out}: 1 guest",
    ]
