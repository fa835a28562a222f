"""Guest and tribune files: ``guests.yaml``, ``tribunes.yaml``, and CSV/XLSX guest lists.

Every problem is reported with its file, line (or spreadsheet row) and field,
all at once; nothing is written here — callers write only after success.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML

from paradeops.errors import Problem, UserError
from paradeops.io.planfile import decode_text, read_bytes, read_text
from paradeops.model.yamlsource import (
    DEFAULT_LIMITS,
    Locator,
    ReadLimits,
    parse_yaml,
    problems_from,
    validate,
)
from paradeops.protocol.guests import Category, Guest, GuestBook
from paradeops.protocol.ledger import check
from paradeops.protocol.tribunes import Tribunes

#: Columns of a guest list (CSV header or first spreadsheet row), in output order.
COLUMNS = (
    "id", "name", "title", "country", "category", "delegation", "host",
    "in_office_since", "interpreter_for", "illustrative", "note",
)
REQUIRED = ("id", "name", "country")


def parse_guests(text: str, file: str, limits: ReadLimits = DEFAULT_LIMITS) -> GuestBook:
    """A guest book from YAML text; every problem at once, located."""
    data, locator = parse_yaml(text, file, limits)
    book = validate(GuestBook, data, locator, file)
    issues = check(book)
    if issues:
        raise UserError(problems=[
            Problem(i.message, file=file, line=locator.line(i.loc), field=_path(i.loc),
                    hint=i.hint)
            for i in issues
        ])
    return book


def load_guests(path: Path | str) -> GuestBook:
    path = Path(path)
    return parse_guests(read_text(path), str(path))


def parse_tribunes(text: str, file: str, limits: ReadLimits = DEFAULT_LIMITS) -> Tribunes:
    data, locator = parse_yaml(text, file, limits)
    return validate(Tribunes, data, locator, file)


def load_tribunes(path: Path | str) -> Tribunes:
    path = Path(path)
    return parse_tribunes(read_text(path), str(path))


def _path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# --- CSV / XLSX import -------------------------------------------------------------------


def read_table(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(row number, {column: text}) for each data row of a CSV or XLSX guest list."""
    name = str(path)
    data = read_bytes(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(data, name)
    else:
        rows = _csv_rows(decode_text(data, name), name)
    try:
        number, header = next(rows)
    except StopIteration:
        raise UserError("the file is empty", file=name,
                        hint=f"the first row names the columns: {', '.join(COLUMNS)}") from None
    keys = [h.strip().lower().replace(" ", "_") for h in header]
    unknown = [k for k in keys if k and k not in COLUMNS]
    missing = [k for k in REQUIRED if k not in keys]
    if unknown or missing:
        what = (f"unknown column(s) {', '.join(unknown)}" if unknown else
                f"missing column(s) {', '.join(missing)}")
        raise UserError(what, file=name, line=number,
                        hint=f"columns are {', '.join(COLUMNS)} ({', '.join(REQUIRED)} required)")
    out = []
    for number, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(keys):
            raise UserError(f"{len(cells)} cells but {len(keys)} columns", file=name,
                            line=number, hint="quote cells that contain the delimiter")
        out.append((number, {k: c.strip() for k, c in zip(keys, cells, strict=False) if k}))
    return out


def _csv_rows(text: str, file: str) -> Iterator[tuple[int, list[str]]]:
    text = text.removeprefix("\ufeff")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect, strict=True)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as e:
        raise UserError(f"malformed CSV: {e}", file=file, line=reader.line_num,
                        hint="check the quotes on this line") from None


def _xlsx_rows(data: bytes, name: str) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many kinds for a bad file
        raise UserError(f"not a readable XLSX workbook ({type(e).__name__})", file=name,
                        hint="save it again as .xlsx, or export it as CSV") from None
    sheet = book.worksheets[0]
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, ["" if v is None else _cell_text(v) for v in values]


def _cell_text(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TRUE = {"true", "yes", "y", "1", "x"}
_FALSE = {"false", "no", "n", "0", ""}


def import_guests(path: Path, host_country: str | None = None) -> dict[str, Any]:
    """A CSV/XLSX guest list as guests.yaml data; every bad row reported with its number."""
    name = str(path)
    rows = read_table(path)
    problems: list[Problem] = []
    guests: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        record: dict[str, Any] = {}
        for key in COLUMNS:
            value = row.get(key, "")
            if key in ("host", "illustrative"):
                if value.lower() not in _TRUE | _FALSE:
                    problems.append(Problem(f"{value!r} is not yes or no", file=name,
                                            line=number, field=key, hint="write yes or no"))
                    continue
                if value.lower() in _TRUE:
                    record[key] = True
            elif key == "category" and value:
                record[key] = value.lower().replace(" ", "_").replace("-", "_")
            elif value:
                record[key] = value
        try:
            guest = Guest.model_validate(record)
        except ValidationError as e:
            for p in problems_from(e, Locator(None), name):
                hint = _column_hint(p.field) or (
                    "fill this cell" if p.message == "required field is missing" else p.hint)
                problems.append(Problem(p.message, file=name, line=number, field=p.field,
                                        hint=hint))
            continue
        if guest.id in seen:
            problems.append(Problem(f"guest id {guest.id!r} is used twice", file=name,
                                    line=number, field="id",
                                    hint=f"the first is on row {seen[guest.id]}"))
            continue
        seen[guest.id] = number
        guests.append(guest.model_dump(mode="json", exclude_defaults=True))
    if not rows:
        problems.append(Problem("no guests in the file", file=name))
    hosts = [g for g in guests if g.get("host")]
    country = host_country or (hosts[0]["country"] if hosts else None)
    if country is None and not problems:
        problems.append(Problem("the host country is not known", file=name,
                                hint="give --host-country (e.g. RU), or mark the host "
                                     "with host: yes"))
    if problems:
        raise UserError(problems=problems)
    book = {"version": 1, "host_country": country, "guests": guests, "events": []}
    try:
        GuestBook.model_validate(book)
    except ValidationError as e:
        raise UserError(problems=problems_from(e, Locator(None), "--host-country")) from None
    issues = check(GuestBook.model_validate(book))
    if issues:
        raise UserError(problems=[
            Problem(i.message, file=name,
                    line=rows[i.loc[1]][0] if len(i.loc) > 1 and isinstance(i.loc[1], int)
                    else None,
                    field=str(i.loc[-1]), hint=i.hint)
            for i in issues
        ])
    return book


def _column_hint(field: str | None) -> str | None:
    if field == "id":
        return "letters, digits, '.', '_' or '-', starting with a letter or digit"
    if field == "category":
        return "one of " + ", ".join(c.value for c in Category)
    if field == "in_office_since":
        return "write the date as YYYY-MM-DD"
    return None


def dump_yaml(data: Any) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 100
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()
