"""Counts in words: "1 warning", "2 warnings". Pure."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and the noun in the form ``n`` takes (English: singular for 1 only)."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
