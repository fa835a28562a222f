"""History tables are append-only: the database refuses UPDATE and DELETE on them.

Revision ID: 0004_append_only
Revises: 0001

Tables of revision 0001 that hold history: the audit log, plan revisions,
check-ins, and the guest books (the uploaded text, "never changed") with their
events (guest_records). Tables added by later migrations protect themselves.
"""

from alembic import op

from paradeops.store.append_only import protect, unprotect

revision = "0004_append_only"
down_revision = "0001"
branch_labels = None
depends_on = None

TABLES = ("audit_log", "plan_revisions", "checkins", "guest_books", "guest_records")


def upgrade() -> None:
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in TABLES:
        unprotect(op, table)
