"""``guests import``: Excel's encodings, a stray field, every problem at once, invitations."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

from paradeops.io.guestfiles import load_guests
from paradeops.protocol.ledger import Status, status_as_of
from tests.conftest import Run

LIST = ("id;name;country;category;host;interpreter_for\n"
        "ru;Vladimir Putin;RU;head of state;yes;\n"
        "fr;Frédéric Müller;FR;head of state;;\n"
        "fr-int;Interprète;FR;other;;fr\n")


def write(tmp_path: Path, data: bytes, name: str = "guests.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_cp1252_is_read_and_said(cli: Run, tmp_path: Path) -> None:
    src = write(tmp_path, LIST.encode("cp1252"))
    out = tmp_path / "guests.yaml"
    r = cli("guests", "import", src, "-o", out)
    assert r.code == 0, r.err
    # "id;name;country;category;host;interpreter_for\n" is 46 bytes, the ru row 40,
    # "fr;Fr" 5 more: é (0xE9) is byte 91
    assert "read as Windows-1252" in r.err and "byte 91 is 0xE9" in r.err
    assert "separated by semicolons" in r.err
    assert [g.name for g in load_guests(out).guests] == [
        "Vladimir Putin", "Frédéric Müller", "Interprète"]


def test_bom_is_read_and_said(cli: Run, tmp_path: Path) -> None:
    src = write(tmp_path, codecs.BOM_UTF8 + LIST.replace(";", ",").encode("utf-8"))
    r = cli("guests", "import", src, "--format", "json")
    assert r.code == 0, r.err
    assert "read as UTF-8 with a byte-order mark, columns separated by commas" in r.err
    assert [g["id"] for g in json.loads(r.out)["guests"]] == ["ru", "fr", "fr-int"]


def test_a_row_with_an_extra_field_is_that_rows_error(cli: Run, tmp_path: Path) -> None:
    text = LIST.replace("FR;head of state;;", "FR;head of state;;;Paris")
    src = write(tmp_path, text.encode("utf-8"))
    r = cli("guests", "import", src)
    assert r.code == 2
    assert f"{src}:3: 7 cells but the header has 6 columns" in r.err
    assert "unknown column" not in r.err
    # the interpreter's principal is in the refused row: not also "unknown guest id"
    assert "unknown guest id" not in r.err


def test_every_problem_of_the_file_at_once(cli: Run, tmp_path: Path) -> None:
    src = write(tmp_path, (
        "id,name,country,category,host,interpreter_for\n"   # 1
        "ru,Vladimir Putin,RU,head_of_state,yes,\n"          # 2
        "fr,Emmanuel Macron,FR,head_of_state,,\n"            # 3
        "fr,Brigitte Macron,FR,other,,\n"                    # 4: id again
        "kz,Kassym-Jomart Tokayev,KZ,emperor,,\n"            # 5: category
        "by,Alexander Lukashenko,BY,head_of_state,yes,\n"    # 6: a second host
        "cn-int,Interpreter,CN,other,,cn\n"                  # 7: no guest cn
        "rs,Aleksandar Vučić,RS,head_of_state,,,extra\n"     # 8: a cell too many
    ).encode())
    out = tmp_path / "guests.yaml"
    r = cli("guests", "import", src, "-o", out)
    assert r.code == 2
    located = [line for line in r.err.splitlines() if str(src) in line]
    assert [line.split(str(src))[1].split(":")[1] for line in located] == [
        "4", "5", "6", "7", "8"]
    assert f"{src}:4: id: guest id 'fr' is used twice" in r.err and "first is on row 3" in r.err
    assert f"{src}:5: category" in r.err
    assert f"{src}:6: host: a second host: row 2 is already marked host" in r.err
    assert f"{src}:7: interpreter_for: unknown guest id 'cn'" in r.err
    assert f"{src}:8: 7 cells but the header has 6 columns" in r.err
    assert not out.exists()


def test_invited_at_makes_the_book_seatable(cli: Run, tmp_path: Path) -> None:
    src = write(tmp_path, LIST.encode("utf-8"))
    out = tmp_path / "guests.yaml"
    r = cli("guests", "import", src, "-o", out, "--invited-at", "2025-04-01")
    assert r.code == 0, r.err
    assert "3 guests, 1 invited" in r.err  # not the host, not the interpreter
    book = load_guests(out)
    assert [(e.guest, str(e.at), e.kind.value) for e in book.events] == [
        ("fr", "2025-04-01", "invited")]
    assert status_as_of(book) == {"ru": Status.listed, "fr": Status.invited,
                                  "fr-int": Status.invited}
    tribunes = tmp_path / "tribunes.yaml"
    tribunes.write_text("sections:\n  - id: s\n    rows:\n      - {number: 1, seats: 3}\n"
                        "      - {number: 2, seats: 3}\n", encoding="utf-8")
    seated = cli("seat", out, tribunes, "--include-invited", "--format", "json")
    assert seated.code == 0, seated.err
    assert {s["guest"] for s in json.loads(seated.out)["seated"]} == {"ru", "fr", "fr-int"}
    without = tmp_path / "plain.yaml"
    assert cli("guests", "import", src, "-o", without).code == 0
    alone = cli("seat", without, tribunes, "--include-invited", "--format", "json")
    assert {s["guest"] for s in json.loads(alone.out)["seated"]} == {"ru"}


def test_bad_invited_at(cli: Run, tmp_path: Path) -> None:
    src = write(tmp_path, LIST.encode("utf-8"))
    r = cli("guests", "import", src, "--invited-at", "2025-04-01T10:00")
    assert r.code == 2 and "--invited-at: '2025-04-01T10:00' has no UTC offset" in r.err
