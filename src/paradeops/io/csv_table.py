"""One reader for every CSV file the project reads (guest lists, rehearsal times).

What it does, so that every CSV behaves the same:

- **Encoding.** UTF-8, UTF-8 with a byte-order mark (Excel's "CSV UTF-8"),
  UTF-16 with a byte-order mark (Excel's "Unicode text"), else Windows-1252
  (Excel's default "CSV" on Windows in Western Europe and the Americas). A
  file that is none of these (a byte cp1252 leaves undefined, a NUL byte
  outside UTF-16) is refused. :attr:`Table.note` says what was assumed.
- **Delimiter.** ``,`` ``;`` or tab, chosen from the header alone: the one
  whose split of the header names the most known columns (then the most
  columns). A data row with a stray ``;field`` therefore cannot change how
  the header is read; it is reported as a row with too many cells.
- **Rows.** Each data row comes with the line of the file it starts on (a
  quoted cell may span lines), as ``{column: stripped text}``. Blank rows are
  skipped; empty cells beyond the header's width are ignored (spreadsheets
  write them); any other wrong number of cells is a located error, and the
  row is kept aside (:attr:`Table.rejected`) so that a caller can tell "an
  id in a bad row" from "no such id".
- **Errors.** Every problem of the file at once: unknown, missing and
  repeated columns, and each bad row, in one :class:`UserError` (at most
  :data:`MAX_PROBLEMS` listed, then a count of the rest).

Pure: bytes in, a :class:`Table` out; callers read the file (with its size
limit) and decide what the cells mean.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import difflib
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

from paradeops.errors import Problem, UserError

#: The delimiters a CSV may use, in the order preferred when the header cannot tell.
DELIMITERS = (",", ";", "\t")
#: Beyond this many problems a file is surely the wrong one; the rest are counted.
MAX_PROBLEMS = 100

_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with a byte-order mark",
    "utf-16": "UTF-16 with a byte-order mark",
    "cp1252": "Windows-1252 (Excel's default 'CSV' on Windows)",
}
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}

#: What to do with a column the caller does not know.
OtherColumns = Literal["error", "ignore"]


@dataclass(frozen=True)
class Table:
    """A CSV (or spreadsheet) read: its columns, data rows and how it was read."""

    file: str
    #: The header's column names, normalised (see :func:`column_key`), in file order.
    columns: tuple[str, ...]
    #: (line the row starts on, {column: stripped text}) for each non-blank data row.
    rows: list[tuple[int, dict[str, str]]]
    #: ``,`` ``;`` or a tab; empty for a spreadsheet.
    delimiter: str
    #: ``utf-8``, ``utf-8-sig``, ``utf-16`` or ``cp1252``; empty for a spreadsheet.
    encoding: str
    #: The line of the header row.
    header_line: int = 1
    #: Why the encoding was assumed (e.g. the first byte that is not UTF-8).
    encoding_reason: str = ""
    #: (line, cells) of the rows refused for their number of cells (reported as problems).
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)

    def rejected_cells(self, column: str) -> set[str]:
        """The stripped cells of ``column`` in the rejected rows (where they reach it)."""
        if column not in self.columns:
            return set()
        i = self.columns.index(column)
        return {cells[i].strip() for _, cells in self.rejected if len(cells) > i}

    @property
    def note(self) -> str:
        """What the reader assumed, in words, for a message to the user."""
        if not self.encoding:
            return f"{self.file}: read as a spreadsheet"
        how = f"{self.file}: read as {_NAMES[self.encoding]}"
        if self.encoding_reason:
            how += f" ({self.encoding_reason})"
        return f"{how}, columns separated by {_DELIMITER_NAMES[self.delimiter]}"


def column_key(name: str) -> str:
    """A header cell as a column key: case and surrounding spaces ignored, spaces → ``_``."""
    return "_".join(name.strip().lower().split())


def decode(data: bytes, file: str) -> tuple[str, str, str]:
    """(text, encoding, why it was assumed) of a CSV file's bytes; UserError if none fits."""
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig", file), "utf-8-sig", ""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", file), "utf-16", ""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise UserError(f"a NUL byte at byte {nul}: not a text file",
                        file=file, hint="export the sheet as CSV (UTF-8)")
    try:
        return data.decode("utf-8"), "utf-8", ""
    except UnicodeDecodeError as e:
        reason = f"not UTF-8: byte {e.start} is 0x{data[e.start]:02X}"
    return _strict(data, "cp1252", file), "cp1252", reason


def _strict(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as e:
        raise UserError(
            f"not readable as {_NAMES[encoding]} nor as UTF-8: byte {e.start} "
            f"is 0x{data[e.start]:02X}", file=file,
            hint="save the file as CSV UTF-8 (Excel: File → Save As → CSV UTF-8)",
        ) from None


def detect_delimiter(text: str, known: Iterable[str] = ()) -> str:
    """The delimiter that reads the header (the first record) best.

    Scored by how many header cells are ``known`` column names, then by how
    many cells there are; ties go to the earlier of :data:`DELIMITERS`. Only
    the header is looked at: data rows may be wrong, the header decides.
    """
    wanted = {column_key(k) for k in known}
    best, best_score = DELIMITERS[0], (-1, -1)
    for delimiter in DELIMITERS:
        header = _first_record(text, delimiter)
        keys = [column_key(c) for c in header]
        score = (sum(1 for k in keys if k in wanted), len(keys))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _first_record(text: str, delimiter: str) -> list[str]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                return cells
    except csv.Error:
        return []
    return []


def records(text: str, delimiter: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """(line the record starts on, cells) for each record; a malformed one is a UserError."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, cells
            start = reader.line_num + 1
    except csv.Error as e:
        raise UserError(f"malformed CSV: {e}", file=file, line=start,
                        hint="check the quotes of this row") from None


def read_table(
    data: bytes,
    file: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    other_columns: OtherColumns = "error",
) -> Table:
    """A CSV file's data rows keyed by column; every problem of the file in one UserError."""
    table, problems = parse_table(data, file, required, optional, other_columns=other_columns)
    if problems:
        raise UserError(problems=capped(problems))
    return table


def parse_table(
    data: bytes,
    file: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    other_columns: OtherColumns = "error",
) -> tuple[Table, list[Problem]]:
    """Like :func:`read_table` but the problems are returned, for a caller to add its own.

    Undecodable bytes are still raised at once: nothing else can be said then.
    """
    text, encoding, reason = decode(data, file)
    delimiter = detect_delimiter(text, [*required, *optional])
    rows: list[tuple[int, list[str]]] = []
    problems: list[Problem] = []
    try:
        rows.extend(records(text, delimiter, file))
    except UserError as e:
        problems.extend(e.problems)
    table, found = table_from_rows(rows, file, required, optional, other_columns=other_columns)
    table = dataclasses.replace(table, delimiter=delimiter, encoding=encoding,
                                encoding_reason=reason)
    return table, found + problems


def table_from_rows(
    rows: Iterable[tuple[int, list[str]]],
    file: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    other_columns: OtherColumns = "error",
) -> tuple[Table, list[Problem]]:
    """The header checks and row checks on records already split (a CSV's or a sheet's)."""
    known = [*required, *optional]
    rows = iter(rows)
    header_line, header = next(((n, c) for n, c in rows if any(x.strip() for x in c)),
                               (1, []))
    columns = _trim([column_key(c) for c in header])
    if not columns:
        problem = Problem("the file is empty: no header row", file=file,
                          hint=f"the first row names the columns: {', '.join(known)}")
        return Table(file, (), [], "", ""), [problem]
    problems = _header_problems(columns, file, header_line, required, known, other_columns)
    used = {i: k for i, k in enumerate(columns) if k and (k in known or other_columns == "ignore")}
    out: list[tuple[int, dict[str, str]]] = []
    rejected: list[tuple[int, list[str]]] = []
    for number, cells in rows:
        cells = _trim(cells, len(columns))
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            problems.append(_cell_count(number, len(cells), len(columns), file))
            rejected.append((number, cells))
            continue
        out.append((number, {k: cells[i].strip() for i, k in used.items()}))
    return Table(file, tuple(columns), out, "", "", header_line, rejected=rejected), problems


def _trim(cells: list[str], width: int = 0) -> list[str]:
    """The cells without the empty ones after the first ``width`` (spreadsheets pad rows)."""
    end = len(cells)
    while end > width and not cells[end - 1].strip():
        end -= 1
    return cells[:end]


def _header_problems(
    columns: list[str],
    file: str,
    line: int,
    required: Sequence[str],
    known: Sequence[str],
    other_columns: OtherColumns,
) -> list[Problem]:
    hint = f"columns are {', '.join(known)}" + (
        f" ({', '.join(required)} required)" if required else "")
    problems: list[Problem] = []
    unknown = [c for c in columns if c and c not in known]
    if unknown and other_columns == "error":
        near = [m for c in unknown for m in difflib.get_close_matches(c, known, n=1)]
        problems.append(Problem(
            f"unknown column(s) {', '.join(unknown)}", file=file, line=line,
            hint=(f"did you mean {', '.join(near)}? " if near else "") + hint))
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        problems.append(Problem(f"column(s) {', '.join(twice)} given twice", file=file,
                                line=line, hint="keep one of each"))
    missing = [c for c in required if c not in columns]
    if missing:
        problems.append(Problem(f"missing column(s) {', '.join(missing)}", file=file,
                                line=line, hint=hint))
    return problems


def _cell_count(line: int, cells: int, columns: int, file: str) -> Problem:
    if cells > columns:
        hint = "quote a cell that contains the delimiter, or remove the extra cells"
    else:
        hint = "fill the missing cells (an empty cell still needs its delimiter)"
    return Problem(f"{cells} cells but the header has {columns} columns", file=file,
                   line=line, hint=hint)


def capped(problems: list[Problem]) -> list[Problem]:
    """At most :data:`MAX_PROBLEMS` problems, then one saying how many more there are."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS],
            Problem(f"… and {rest} more problem(s) in this file", file=problems[0].file)]
