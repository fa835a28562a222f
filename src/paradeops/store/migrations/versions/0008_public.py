"""Public tracker flags: whether a plan is public, and whether its incidents are.

Revision ID: 0008_public
Revises: 0007_incidents

One row per plan that an organiser has ever made public (or private again);
a plan without a row is private. A setting, changed in place: each change is
audited (``plan.public``), which keeps its history.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_public"
down_revision = "0007_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_public",
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), primary_key=True),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("incidents", sa.Boolean, nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("plan_public")
