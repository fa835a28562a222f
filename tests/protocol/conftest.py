"""Helpers for the protocol tests: small guest books and tribunes, and the real CLI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from paradeops.protocol.guests import GuestBook
from paradeops.protocol.tribunes import Layout, Tribunes, layout

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "victory-day-2025"


def book(guests: list[dict[str, Any]], events: list[dict[str, Any]] | None = None,
         **extra: Any) -> GuestBook:
    return GuestBook.model_validate(
        {"host_country": "RU", "guests": guests, "events": events or [], **extra}
    )


def guest(gid: str, country: str = "FR", category: str = "head_of_state",
          **extra: Any) -> dict[str, Any]:
    return {"id": gid, "name": gid.title(), "country": country, "category": category, **extra}


def stands(*rows: int, sections: int = 1, host: tuple[str, int, int] | None = None) -> Layout:
    """``sections`` identical sections whose rows have the given seat counts."""
    data: dict[str, Any] = {
        "sections": [
            {"id": f"s{i + 1}", "rows": [{"number": r + 1, "seats": n}
                                         for r, n in enumerate(rows)]}
            for i in range(sections)
        ]
    }
    if host:
        data["host_seat"] = {"section": host[0], "row": host[1], "seat": host[2]}
    return layout(Tribunes.model_validate(data))
