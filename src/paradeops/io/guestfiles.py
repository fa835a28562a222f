"""Guest and tribune files: ``guests.yaml``, ``tribunes.yaml``, and CSV/XLSX guest lists.

Every problem is reported with its file, line (or spreadsheet row) and field,
all at once; nothing is written here — callers write only after success.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML

from paradeops.errors import Problem, UserError
from paradeops.io.csv_table import Table, capped, parse_table, table_from_rows
from paradeops.io.planfile import read_bytes, read_text
from paradeops.model.checks import text_issues
from paradeops.model.input_types import control_character
from paradeops.model.yamlsource import (
    DEFAULT_LIMITS,
    Locator,
    ReadLimits,
    parse_yaml,
    problems_from,
    validate,
)
from paradeops.protocol.guests import Category, Guest, GuestBook, Moment
from paradeops.protocol.ledger import check, check_guests
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
    book = _validate_printable(GuestBook, data, locator, file)
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
    return _validate_printable(Tribunes, data, locator, file)


M = TypeVar("M", bound=BaseModel)


def _validate_printable(model: type[M], data: Any, locator: Locator, file: str) -> M:
    """``data`` as a ``model``; a text with a control character is a problem too.

    Names from these files reach the terminal, the seating chart and CSV:
    :func:`paradeops.model.checks.text_issues` is the plan's rule.
    """
    problems = [
        Problem(message, file=file, line=locator.line(loc), field=_path(loc), hint=hint)
        for loc, message, hint in text_issues(data)
    ]
    try:
        result = validate(model, data, locator, file)
    except UserError as e:
        raise UserError(problems=[*e.problems, *problems]) from None
    if problems:
        raise UserError(problems=problems)
    return result


def load_tribunes(path: Path | str) -> Tribunes:
    path = Path(path)
    return parse_tribunes(read_text(path), str(path))


def _path(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


# --- CSV / XLSX import -------------------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    """A guest list read into ``guests.yaml`` data, and how its file was read."""

    book: dict[str, Any]
    #: What the reader assumed (encoding, delimiter), for a note to the user.
    note: str


def read_guest_table(path: Path) -> tuple[Table, list[Problem]]:
    """A CSV or XLSX guest list's rows, and the problems of its header and rows."""
    name = str(path)
    data = read_bytes(path)
    optional = [c for c in COLUMNS if c not in REQUIRED]
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return table_from_rows(_xlsx_rows(data, name), name, REQUIRED, optional)
    return parse_table(data, name, REQUIRED, optional)


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


def import_guests(path: Path, host_country: str | None = None,
                  invited_at: Moment | None = None) -> Imported:
    """A CSV/XLSX guest list as guests.yaml data; every problem of the file at once.

    Each row is checked on its own, then the list as a whole (an id used
    twice, a second host, an interpreter for nobody), each problem at its
    row. ``invited_at`` records an ``invited`` event then for every guest
    but the host and the interpreters (who follow their principal).
    """
    name = str(path)
    table, problems = read_guest_table(path)
    guests: list[tuple[int, Guest]] = []
    failed_ids = table.rejected_cells("id")
    for number, row in table.rows:
        guest = _row_guest(row, number, name, problems)
        if guest is None:
            failed_ids.add(row.get("id", ""))
        else:
            guests.append((number, guest))
    if not table.rows and table.columns:
        problems.append(Problem("no guests in the file", file=name, line=table.header_line + 1))
    problems += _list_problems(guests, failed_ids, name)
    country = host_country or next((g.country for _, g in guests if g.host), None)
    if country is None and not problems:
        problems.append(Problem("the host country is not known", file=name,
                                hint="give --host-country (e.g. RU), or mark the host "
                                     "with host: yes"))
    if problems:
        # By row (header first); sorting is stable, so a row keeps its columns' order.
        raise UserError(problems=capped(sorted(problems, key=lambda p: p.line or 0)))
    book = {"version": 1, "host_country": country,
            "guests": [g.model_dump(mode="json", exclude_defaults=True) for _, g in guests],
            "events": _invitations([g for _, g in guests], invited_at)}
    try:
        GuestBook.model_validate(book)
    except ValidationError as e:
        raise UserError(problems=problems_from(e, Locator(None), "--host-country")) from None
    return Imported(book, table.note)


def _row_guest(row: dict[str, str], number: int, name: str,
               problems: list[Problem]) -> Guest | None:
    """One row as a guest, or None with its problems added (each at the row and column)."""
    record: dict[str, Any] = {}
    found = len(problems)
    for key in COLUMNS:
        value = row.get(key, "")
        if (why := control_character(value)) is not None:
            problems.append(Problem(f"{why}: {value!r}", file=name, line=number, field=key,
                                    hint="remove it: a cell is printable text in any script"))
        if key in ("host", "illustrative"):
            if value.lower() not in _TRUE | _FALSE:
                problems.append(Problem(f"{value!r} is not yes or no", file=name,
                                        line=number, field=key, hint="write yes or no"))
            elif value.lower() in _TRUE:
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
            problems.append(Problem(p.message, file=name, line=number, field=p.field, hint=hint))
        return None
    return guest if len(problems) == found else None


def _list_problems(guests: list[tuple[int, Guest]], failed_ids: set[str],
                   name: str) -> list[Problem]:
    """The whole list's problems (ledger.check_guests), at the rows of the guests at fault."""
    lines = [number for number, _ in guests]
    out = []
    for issue in check_guests([g for _, g in guests], known=failed_ids):
        index = int(issue.loc[1])  # check_guests locates every issue at ("guests", i, …)
        hint = issue.hint
        if issue.loc[-1] == "id":
            hint = "the first is on row " + str(lines[_first(guests, guests[index][1].id)])
        message = issue.message
        if issue.loc[-1] == "host":
            first = next(n for n, g in guests if g.host)
            message = f"a second host: row {first} is already marked host"
        out.append(Problem(message, file=name, line=lines[index], field=str(issue.loc[-1]),
                           hint=hint))
    return out


def _first(guests: list[tuple[int, Guest]], gid: str) -> int:
    return next(i for i, (_, g) in enumerate(guests) if g.id == gid)


def _invitations(guests: list[Guest], at: Moment | None) -> list[dict[str, Any]]:
    if at is None:
        return []
    when = at.isoformat()
    return [{"guest": g.id, "at": when, "kind": "invited"}
            for g in guests if not g.host and g.interpreter_for is None]


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
