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
