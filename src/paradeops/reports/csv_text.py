"""CSV text as every CSV the program writes it: cells a spreadsheet cannot run. Pure.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is read by Excel, LibreOffice and Google Sheets as a formula
(``=HYPERLINK(...)``, ``@SUM(...)``, DDE ``-2+3|cmd``). A guest's or a unit's
name comes from a file someone else wrote, so such a cell is prefixed with
``'`` (OWASP, "CSV Injection"): the spreadsheet shows the text and runs
nothing. A number stays a number: ``-12.5`` (a negative offset) is written
as it is, since a spreadsheet reads it as the number it is.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = ["csv_text", "safe_cell"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# A plain decimal number, signed or not, with an optional exponent.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def safe_cell(value: Any) -> Any:
    """``value`` as a cell no spreadsheet evaluates; numbers and other values unchanged."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[Any] | Mapping[str, Any]]) -> str:
    """A header and one line per row (a sequence, or a mapping by column name).

    Lines end in ``\\n``; a caller writes the text unchanged (``newline=""``).
    """
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([safe_cell(c) for c in columns])
    for row in rows:
        cells = [row.get(c, "") for c in columns] if isinstance(row, Mapping) else row
        writer.writerow([safe_cell(v) for v in cells])
    return buf.getvalue()
