"""Database adapter: engine and sessions, SQLite pragmas, migrations shipped in the package."""

from paradeops.store.db import Database, open_database
from paradeops.store.migrate import upgrade

__all__ = ["Database", "open_database", "upgrade"]
