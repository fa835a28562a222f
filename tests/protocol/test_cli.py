"""The real CLI on the Victory Day 2025 example and on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from paradeops.io.guestfiles import load_guests
from tests.conftest import Run
from tests.protocol.conftest import EXAMPLE, ROOT

GUESTS = EXAMPLE / "guests.yaml"
TRIBUNES = EXAMPLE / "tribunes.yaml"


def test_29_then_27_story_end_to_end() -> None:
    """The article: 29 leaders announced, revised to 27 after Laos and Azerbaijan cancelled."""
    run = subprocess.run(
        [sys.executable, "-m", "paradeops", "guests", "announcements", str(GUESTS),
         "--format", "json"],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )
    assert run.returncode == 0, run.stderr
    first, revision = json.loads(run.stdout)
    assert first["by"].startswith("Yuri Ushakov")
    assert (first["announced"], first["actual"], first["matches"]) == (29, 29, True)
    assert (revision["announced"], revision["actual"], revision["matches"]) == (27, 27, True)
    assert first["difference"] == revision["difference"] == []
    assert {k for k in first} >= {"at", "by", "category", "announced", "actual", "matches",
                                  "difference"}
    changes = {c["guest"]: c for c in revision["changes_since_previous"]}
    assert set(changes) == {"la-president", "az-president"}
    assert "COVID-19" in changes["la-president"]["reason"]
    assert "internal agenda" in changes["az-president"]["reason"]


def test_status_as_of_before_and_after_the_cancellations(cli: Run) -> None:
    before = cli("guests", "status", GUESTS, "--as-of", "2025-05-05", "--format", "json")
    after = cli("guests", "status", GUESTS, "--format", "json")
    assert before.code == after.code == 0
    was = {r["id"]: r for r in json.loads(before.out)}
    now = {r["id"]: r for r in json.loads(after.out)}
    assert was["la-president"]["status"] == "confirmed"
    assert now["la-president"]["status"] == "cancelled"
    assert now["az-president"]["reason"] == "internal agenda in Azerbaijan"
    assert now["ru-president"]["expected"] and list(now)[0] == "ru-president"
    countries = {r["country"] for r in now.values() if r["category"] == "veteran"}
    assert countries == {"US", "IL", "AM", "MN"}
    assert now["kp-officer-1"]["country_name"] == "Северная Корея"
    table = cli("guests", "status", GUESTS)
    assert "Thongloun Sisoulith" in table.out and "expected" in table.out


def test_history_of_one_guest(cli: Run) -> None:
    r = cli("guests", "history", GUESTS, "--guest", "az-president", "--format", "json")
    assert r.code == 0
    assert [e["kind"] for e in json.loads(r.out)] == ["invited", "confirmed", "cancelled"]
    bad = cli("guests", "history", GUESTS, "--guest", "nobody")
    assert bad.code == 2 and "unknown guest id 'nobody'" in bad.err


def test_seat_the_example(cli: Run, tmp_path: Path) -> None:
    chart, table = tmp_path / "chart.svg", tmp_path / "seating.csv"
    r = cli("seat", GUESTS, TRIBUNES, "--chart", chart, "--csv", table, "--format", "json",
            "--time-limit", "60")  # stops as soon as optimality is proven
    assert r.code == 0, r.err
    data = json.loads(r.out)
    seated = {s["guest"]: s for s in data["seated"]}
    assert "la-president" not in seated and "az-president" not in seated
    assert sum(1 for s in seated.values() if s["category"] in
               ("head_of_state", "head_of_government") and s["country"] != "RU") == 27
    assert seated["ru-president"]["honour"] == 0
    assert {g for g in seated if g.startswith("kp-officer")} == {f"kp-officer-{i}"
                                                                 for i in range(1, 6)}
    boss, interp = seated["kp-officer-1"], seated["kp-interpreter"]
    assert (interp["section"], interp["row"], interp["seat"]) == (
        boss["section"], boss["row"] + 1, boss["seat"])
    assert data["status"] == "OPTIMAL" and data["gap"] == 0
    assert chart.read_text().startswith("<?xml") and "Ilham Aliyev" not in chart.read_text()
    assert table.read_text().splitlines()[0].startswith("section,row,seat,honour,guest")
    assert len(table.read_text().splitlines()) == len(seated) + 1


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BASE = """\
version: 1
host_country: RU
guests:
  - {id: host, name: Host, country: RU, host: true}
  - {id: la, name: Thongloun Sisoulith, country: LA, category: head_of_state}
events:
"""


def test_unknown_guest_in_events_names_the_line(cli: Run, tmp_path: Path) -> None:
    f = write(tmp_path, "guests.yaml", BASE + "  - {guest: lao, at: 2025-05-06, kind: confirmed}\n")
    r = cli("guests", "status", f)
    assert r.code == 2
    assert f"{f}:7: events[0].guest: unknown guest id 'lao'" in r.err
    assert "Traceback" not in r.err


def test_events_out_of_date_order(cli: Run, tmp_path: Path) -> None:
    f = write(tmp_path, "guests.yaml", BASE
              + "  - {guest: la, at: 2025-05-06, kind: confirmed}\n"
              + "  - {guest: la, at: 2025-05-01, kind: cancelled}\n")
    r = cli("guests", "announcements", f)
    assert r.code == 2 and f"{f}:8: events[1].at" in r.err and "date order" in r.err


def test_bad_country_and_category(cli: Run, tmp_path: Path) -> None:
    f = write(tmp_path, "guests.yaml", BASE.replace("country: LA", "country: XX").replace(
        "head_of_state", "emperor"))
    r = cli("guests", "status", f)
    assert r.code == 2
    assert "guests[1].country" in r.err and "guests[1].category" in r.err


def test_impossible_seating_writes_nothing(cli: Run, tmp_path: Path) -> None:
    tribunes = write(tmp_path, "tribunes.yaml",
                     "sections:\n  - id: small\n    rows:\n      - {number: 1, seats: 10}\n")
    chart = tmp_path / "chart.svg"
    r = cli("seat", GUESTS, tribunes, "--chart", chart)
    assert r.code == 2 and "guests to seat but the tribunes have only 10 seats" in r.err
    assert not chart.exists()
    narrow = write(tmp_path, "narrow.yaml",
                   "sections:\n  - id: s\n    rows:\n"
                   + "".join(f"      - {{number: {i}, seats: 4}}\n" for i in range(1, 30)))
    r = cli("seat", GUESTS, narrow, "--chart", chart)
    assert r.code == 2 and "delegation 'veterans' has 6 members but the longest row has 4" in r.err
    assert not chart.exists()


def test_bad_as_of(cli: Run) -> None:
    r = cli("guests", "status", GUESTS, "--as-of", "2025-05-07T12:00")
    assert r.code == 2 and "no UTC offset" in r.err
    assert cli("guests", "status", GUESTS, "--as-of", "May 7").code == 2


def test_import_csv_to_yaml(cli: Run, tmp_path: Path) -> None:
    src = write(tmp_path, "guests.csv",
                "id,name,country,category,host,in_office_since,interpreter_for\n"
                "ru-president,Vladimir Putin,RU,head of state,yes,2012-05-07,\n"
                "la-president,Thongloun Sisoulith,LAO,Head of State,,2021-03-22,\n"
                "la-int,Interpreter,LA,other,,,la-president\n")
    out = tmp_path / "guests.yaml"
    r = cli("guests", "import", src, "-o", out)
    assert r.code == 0, r.err
    b = load_guests(out)
    assert b.host_country == "RU" and [g.country for g in b.guests] == ["RU", "LA", "LA"]
    assert b.guests[2].interpreter_for == "la-president"


def test_import_reports_every_bad_row_and_writes_nothing(cli: Run, tmp_path: Path) -> None:
    src = write(tmp_path, "guests.csv",
                "id,name,country,category\n"
                "a,Alpha,FR,head_of_state\n"
                "b,Beta,ZZ,head_of_state\n"
                "a,Gamma,DE,emperor\n"
                ",Delta,DE,minister\n")
    out = tmp_path / "guests.yaml"
    r = cli("guests", "import", src, "-o", out, "--host-country", "RU")
    assert r.code == 2
    assert f"{src}:3: country" in r.err
    assert f"{src}:4: category" in r.err
    assert f"{src}:5: id" in r.err
    assert not out.exists()


def test_import_xlsx_and_bad_header(cli: Run, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["id", "name", "country", "category"])
    ws.append(["kp-1", "KPA officer 1", "KP", "military_delegation"])
    ws.append(["us-vet", "US veteran", "US", "veteran"])
    path = tmp_path / "guests.xlsx"
    wb.save(path)
    r = cli("guests", "import", path, "--host-country", "RU", "--format", "json")
    assert r.code == 0, r.err
    assert [g["id"] for g in json.loads(r.out)["guests"]] == ["kp-1", "us-vet"]
    bad = write(tmp_path, "bad.csv", "id,name,nation\na,b,FR\n")
    r = cli("guests", "import", bad)
    assert r.code == 2 and f"{bad}:1" in r.err and "unknown column(s) nation" in r.err


def test_event_time_without_offset(cli: Run, tmp_path: Path) -> None:
    f = write(tmp_path, "guests.yaml",
              BASE + "  - {guest: la, at: 2025-05-06 15:00:00, kind: invited}\n")
    r = cli("guests", "status", f)
    assert r.code == 2 and f"{f}:7: events[0].at: 2025-05-06T15:00:00 has no UTC offset" in r.err


def test_event_with_offset_counts_from_its_instant(cli: Run, tmp_path: Path) -> None:
    f = write(tmp_path, "guests.yaml",
              BASE + "  - {guest: la, at: '2025-05-06T15:00:00+03:00', kind: confirmed}\n")
    early = cli("guests", "status", f, "--as-of", "2025-05-06T11:00:00+00:00", "-f", "json")
    late = cli("guests", "status", f, "--as-of", "2025-05-06T12:00:00+00:00", "-f", "json")
    status = {r["id"]: r["status"] for r in json.loads(early.out)}
    assert status["la"] == "listed"
    assert {r["id"]: r["status"] for r in json.loads(late.out)}["la"] == "confirmed"


def test_unterminated_quote_in_csv(cli: Run, tmp_path: Path) -> None:
    src = write(tmp_path, "guests.csv", 'id,name,country\n"a,b,FR\n')
    r = cli("guests", "import", src, "--host-country", "RU")
    assert r.code == 2 and f"{src}:2: malformed CSV" in r.err
