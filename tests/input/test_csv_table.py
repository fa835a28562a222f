"""The one CSV reader: encodings, delimiter from the header, real line numbers, all errors."""

from __future__ import annotations

import codecs

import pytest

from paradeops.errors import UserError
from paradeops.io.csv_table import detect_delimiter, read_table, table_from_rows

REQUIRED = ("id", "name", "country")
OPTIONAL = ("category", "note")


def problems(data: bytes, **kw: object) -> list[str]:
    with pytest.raises(UserError) as caught:
        read_table(data, "g.csv", REQUIRED, OPTIONAL, **kw)  # type: ignore[arg-type]
    return [str(p) for p in caught.value.problems]


def test_utf8_rows_keep_their_file_lines() -> None:
    data = b"id,name,country\n\nfr,\"Emmanuel\nMacron\",FR\nde, Olaf Scholz ,DE\n"
    table = read_table(data, "g.csv", REQUIRED, OPTIONAL)
    # line 2 is blank; the quoted name spans lines 3-4, so the next row starts on 5
    assert table.rows == [(3, {"id": "fr", "name": "Emmanuel\nMacron", "country": "FR"}),
                          (5, {"id": "de", "name": "Olaf Scholz", "country": "DE"})]
    assert (table.encoding, table.delimiter) == ("utf-8", ",")
    assert table.note == "g.csv: read as UTF-8, columns separated by commas"


def test_bom_and_cp1252_are_read_and_said() -> None:
    text = "id;name;country\nfr;Frédéric Chopin;FR\n"
    bom = read_table(codecs.BOM_UTF8 + text.encode("utf-8"), "g.csv", REQUIRED)
    win = read_table(text.encode("cp1252"), "g.csv", REQUIRED)
    for table in (bom, win):
        assert table.rows == [(2, {"id": "fr", "name": "Frédéric Chopin", "country": "FR"})]
        assert table.delimiter == ";"
    assert bom.encoding == "utf-8-sig" and "byte-order mark" in bom.note
    # "id;name;country\n" is 16 bytes, "fr;Fr" 5 more: é (0xE9) is byte 21
    assert win.encoding == "cp1252"
    assert "Windows-1252" in win.note and "byte 21 is 0xE9" in win.note


def test_utf16_excel_unicode_text() -> None:
    data = "id\tname\tcountry\nkp\t김정은\tKP\n".encode("utf-16")
    table = read_table(data, "g.txt", REQUIRED)
    assert table.rows == [(2, {"id": "kp", "name": "김정은", "country": "KP"})]
    assert table.delimiter == "\t"


def test_undecodable_and_binary_are_refused() -> None:
    assert "byte 16 is 0x81" in problems(b"id,name,country\n\x81,x,FR\n")[0]
    assert "NUL byte at byte 2" in problems(b"id\x00,name\n")[0]


def test_a_row_with_an_extra_field_does_not_change_the_header() -> None:
    data = b"id;name;country;category\na;Alpha;FR;head_of_state;extra\nb;Beta;DE;minister\n"
    assert detect_delimiter(data.decode(), REQUIRED + OPTIONAL) == ";"
    assert problems(data) == ["g.csv:2: 5 cells but the header has 4 columns\n"
                              "  → quote a cell that contains the delimiter, "
                              "or remove the extra cells"]


def test_header_decides_even_when_commas_are_in_the_rows() -> None:
    data = b"id;name;country\na;Smith, John;FR\nb;Doe, Jane;DE\n"
    table = read_table(data, "g.csv", REQUIRED)
    assert [r["name"] for _, r in table.rows] == ["Smith, John", "Doe, Jane"]


def test_every_problem_at_once() -> None:
    data = b"id,name,nation,name\na,b,c,d\nshort\n\nx,y,z,w,v\n"
    found = problems(data)
    assert found[0].startswith("g.csv:1: unknown column(s) nation")
    assert found[1].startswith("g.csv:1: column(s) name given twice")
    assert found[2].startswith("g.csv:1: missing column(s) country")
    assert found[3].startswith("g.csv:3: 1 cells but the header has 4 columns")
    assert found[4].startswith("g.csv:5: 5 cells but the header has 4 columns")
    assert len(found) == 5


def test_trailing_empty_cells_and_unknown_columns_when_ignored() -> None:
    data = b"id,name,country,extra,,\na,b,FR,zz,,\n"
    table = read_table(data, "g.csv", REQUIRED, other_columns="ignore")
    assert table.columns == ("id", "name", "country", "extra")
    assert table.rows == [(2, {"id": "a", "name": "b", "country": "FR", "extra": "zz"})]


def test_malformed_quote_located_with_the_header_problems() -> None:
    found = problems(b"id,name,nation\n\"a,b,FR\n")
    assert found[0].startswith("g.csv:1: unknown column(s) nation")
    assert any(f.startswith("g.csv:2: malformed CSV") for f in found)


def test_empty_file_and_too_many_problems() -> None:
    assert problems(b"")[0].startswith("g.csv: the file is empty")
    many = b"id,name,country\n" + b"a\n" * 150
    found = problems(many)
    assert len(found) == 101 and found[-1] == "g.csv: … and 50 more problem(s) in this file"


def test_spreadsheet_rows_share_the_checks() -> None:
    table, found = table_from_rows(
        iter([(1, ["ID", "Name", "Country", ""]), (2, ["a", "b", "FR", ""]),
              (3, ["c", "d", "DE", "stray"])]), "g.xlsx", REQUIRED)
    assert table.rows == [(2, {"id": "a", "name": "b", "country": "FR"})]
    assert [str(p).splitlines()[0] for p in found] == [
        "g.xlsx:3: 4 cells but the header has 3 columns"]
