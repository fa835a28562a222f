"""Incidents (delay reasons) and their clearing, both append-only.

Revision ID: 0007_incidents
Revises: 0006_merge

An incident is posted once (its id made by the phone, so a retry is the same
row) and cleared by appending a row to ``incident_clears``: nothing is ever
changed or removed, like check-ins and their voids.
"""

import sqlalchemy as sa
from alembic import op

from paradeops.store.append_only import protect, unprotect

revision = "0007_incidents"
down_revision = "0006_merge"
branch_labels = None
depends_on = None

Stamp = sa.String(40)
TABLES = ("incidents", "incident_clears")


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("unit", sa.String(64), nullable=True),
        sa.Column("at_m", sa.Float, nullable=True),
        sa.Column("at", Stamp, nullable=False),
        sa.Column("received_at", Stamp, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_incidents_plan_id", "incidents", ["plan_id"])
    op.create_table(
        "incident_clears",
        # The primary key makes a second clearing of the same incident fail atomically.
        sa.Column("incident_id", sa.String(64), sa.ForeignKey("incidents.id"), primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("cleared_by", sa.String(64), nullable=False),
        sa.Column("cleared_at", Stamp, nullable=False),
    )
    op.create_index("ix_incident_clears_plan_id", "incident_clears", ["plan_id"])
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in TABLES:
        unprotect(op, table)
    op.drop_table("incident_clears")
    op.drop_table("incidents")
