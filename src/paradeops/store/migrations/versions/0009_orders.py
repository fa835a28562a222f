"""Hold-and-release orders and the steps that carry them out, both append-only.

Revision ID: 0009_orders
Revises: 0008_public

An order is issued once (its id made by the caller, or by the service) and
moves on by appending a row to ``order_steps`` (confirmed, acknowledged,
executed), each with the id the marshal's phone made so that a retry is
the same row; nothing is ever changed or removed, like incidents.
"""

import sqlalchemy as sa
from alembic import op

from paradeops.store.append_only import protect, unprotect

revision = "0009_orders"
down_revision = "0008_public"
branch_labels = None
depends_on = None

Stamp = sa.String(40)
TABLES = ("orders", "order_steps")


def upgrade() -> None:
    op.create_table(
        "orders",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("unit", sa.String(64), nullable=False),
        sa.Column("checkpoint", sa.String(64), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("seconds", sa.Float, nullable=True),
        sa.Column("issued_by", sa.String(64), nullable=False),
        sa.Column("issued_at", Stamp, nullable=False),
    )
    op.create_index("ix_orders_plan_id", "orders", ["plan_id"])
    op.create_table(
        "order_steps",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("order_id", sa.String(64), sa.ForeignKey("orders.id"), nullable=False),
        sa.Column("plan_id", sa.Integer, sa.ForeignKey("plans.id"), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("by", sa.String(64), nullable=False),
        sa.Column("at", Stamp, nullable=False),
        # One row per step of an order: a second tap elsewhere fails atomically.
        sa.UniqueConstraint("order_id", "step", name="uq_order_steps_order_step"),
    )
    op.create_index("ix_order_steps_plan_id", "order_steps", ["plan_id"])
    for table in TABLES:
        protect(op, table)


def downgrade() -> None:
    for table in TABLES:
        unprotect(op, table)
    op.drop_table("order_steps")
    op.drop_table("orders")
