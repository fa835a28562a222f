"""Seats for the guest badges: the CSV that ``paradeops seat --format csv -o FILE`` writes.

Only ``guest``, ``section``, ``row`` and ``seat`` are read (the other columns of
that file are ignored). A guest the book does not list, a guest seated twice, an
empty cell: located (file, line, column), every problem at once.
"""

from __future__ import annotations

from pathlib import Path

from paradeops.errors import Problem, UserError
from paradeops.io.csv_table import capped, parse_table
from paradeops.io.planfile import read_bytes

__all__ = ["load_seats"]

_COLUMNS = ("guest", "section", "row", "seat")


def load_seats(path: Path, known: set[str]) -> dict[str, str]:
    """Guest id → ``section s1, row 2, seat 5`` for every row of the seating CSV at ``path``."""
    file = str(path)
    table, problems = parse_table(read_bytes(path), file, _COLUMNS, other_columns="ignore")
    if not set(_COLUMNS) <= set(table.columns):  # said by the header's problems
        raise UserError(problems=capped(problems))
    seats: dict[str, str] = {}
    where: dict[str, int] = {}
    for line, row in table.rows:
        problems += _row_problems(row, line, file, known, where)
        gid = row["guest"]
        if gid not in where:
            where[gid] = line
            seats[gid] = f"section {row['section']}, row {row['row']}, seat {row['seat']}"
    if problems:
        raise UserError(problems=capped(problems))
    return seats


def _row_problems(row: dict[str, str], line: int, file: str, known: set[str],
                  where: dict[str, int]) -> list[Problem]:  # fmt: skip
    out = [Problem("is empty", file=file, line=line, field=c) for c in _COLUMNS if not row[c]]
    gid = row["guest"]
    if gid and gid not in known:
        out.append(
            Problem(
                f"unknown guest id {gid!r}",
                file=file,
                line=line,
                field="guest",
                hint="seat the guests of this guest book (paradeops seat)",
            )
        )
    elif gid in where:
        out.append(
            Problem(
                f"guest {gid!r} is seated twice (also line {where[gid]})",
                file=file,
                line=line,
                field="guest",
            )
        )
    return out
