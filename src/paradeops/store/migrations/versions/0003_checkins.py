"""Check-ins: voids (a mistaken check-in is voided, never deleted) and per-plan windows.

Revision ID: 0003_checkins
Revises: 0001

Both tables are history, hence append-only: a void cannot be undone or edited,
and a plan's check-in window changes by appending a new row (the latest wins).
"""

import sqlalchemy as sa
from alembic import op

from paradeops.store.append_only import protect, unprotect

revision = "0003_checkins"
down_revision = "0001"
branch_labels = None
depends_on = None

Stamp = sa.String(40)
TABLES = ("checkin_voids", "checkin_windows")


def upgrade() -> None:
    op.create_table(
        "checkin_voids",
        # The primary key makes a second void of the same check-in fail atomically.
        sa.Column("checkin_id", sa.String(64), sa.ForeignKey("checkins.id"), primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("voided_by", sa.String(64), nullable=False),
        sa.Column("voided_at", Stamp, nullable=False),
    )
    op.create_index("ix_checkin_voids_plan_id", "checkin_voids", ["plan_id"])
    op.create_table(
        "checkin_windows",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("from_at", Stamp, nullable=True),
        sa.Column("until_at", Stamp, nullable=True),
        sa.Column("set_at", Stamp, nullable=False),
        sa.Column("set_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_checkin_windows_plan_id", "checkin_windows", ["plan_id"])
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in TABLES:
        unprotect(op, table)
    op.drop_table("checkin_windows")
    op.drop_table("checkin_voids")
