"""What ``paradeops seat`` prints or writes: the seating table, its warnings and
relaxed rules, and ``--explain``."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from paradeops.protocol.seating import Seating
from paradeops.protocol.seating_explain import Explanation

#: Wide enough that no seating table is ever cut when written to a file.
FILE_WIDTH = 10_000


def seating_table(data: dict[str, Any], guests: int, seats: int) -> Table:
    table = Table(title=f"Seating ({guests} guests on {seats} seats)")
    for col in ("seat", "honour", "guest", "country", "category", "precedence", "stage"):
        table.add_column(col)
    for r in data["seated"]:
        table.add_row(f"{r['section']} r{r['row']} s{r['seat']}", str(r["honour"]),
                      f"{r['name']} ({r['guest']})", r["country"], r["category"],
                      str(r["precedence"]) if r["precedence"] != "" else "interp.",
                      "precedence" if r["precedence_seat"] else "")
    return table


def summary_lines(result: Seating, accepted: bool) -> list[Text]:
    """The solver's verdict, then every warning and every relaxed rule."""
    quality = ("optimal" if result.status == "OPTIMAL"
               else f"{result.status.lower()}, gap {result.gap:.2%}")
    lines = [Text(f"solver: {quality} ({result.detail}); cost {result.objective}, "
                  f"bound {result.bound}, {result.wall_time_s:.2f} s")]
    for warning in result.warnings():
        note = " (accepted with --accept-feasible)" if accepted else ""
        lines.append(Text(f"WARNING: {warning}{note}", style="bold red"))
    for r in result.relaxations:
        lines.append(Text(f"rule relaxed ({r.rule}; {', '.join(r.guests)}): {r.detail}",
                          style="yellow"))
    return lines


def explanation_lines(e: Explanation) -> list[Text]:
    rank = "interpreter" if e.precedence is None else f"precedence #{e.precedence}"
    head = Text(f"{e.name} ({e.guest}) sits at {e.seat}: honour {e.honour}, {rank}, "
                f"{e.stage}", style="bold")
    return [head, *(Text(f"  - {reason}") for reason in e.reasons)]


def explanation_json(e: Explanation) -> dict[str, Any]:
    return {"guest": e.guest, "name": e.name, "seat": e.seat, "honour": e.honour,
            "precedence": e.precedence, "stage": e.stage, "reasons": list(e.reasons)}


def render(*items: Table | Text) -> str:
    """Rich items as plain text, full width: for a file given with -o."""
    buffer = io.StringIO()
    console = Console(file=buffer, width=FILE_WIDTH, highlight=False, color_system=None)
    for item in items:
        console.print(item)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"
