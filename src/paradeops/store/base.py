"""The declarative base every slice's tables derive from (``service/*/models.py``).

The schema itself is created by the migrations in ``migrations/versions``;
the ORM classes only describe it. ``tests/service/test_migrations.py`` checks
that the two agree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def utcnow_iso(now: dt.datetime) -> str:
    """Timestamps are stored as ISO 8601 text with offset: portable and readable."""
    return now.astimezone(dt.UTC).isoformat(timespec="microseconds")


def stored_instant(text: object) -> dt.datetime | None:
    """The instant a stored ISO 8601 text names, or None: a row written by hand may
    hold anything (not text, not a time, no offset), and then it matches nothing."""
    try:
        t = dt.datetime.fromisoformat(text)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None
    return t if t.tzinfo is not None else None
