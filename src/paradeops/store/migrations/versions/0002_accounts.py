"""Accounts: per-plan marshal assignments, server-side sessions, sign-in throttle.

Revision ID: 0002_accounts
Revises: 0001

- ``users.disabled``; ``users.checkpoints`` (one global list, finding 11)
  becomes rows of ``user_assignments`` on every plan that exists now, so
  nobody loses a checkpoint they had, and the column goes.
- ``user_sessions``: the id of each sign-in, checked on every request, so
  sign-out, disable, delete and role changes apply within seconds.
- ``signin_throttle``: failed sign-ins per account and per address, shared
  by every process serving the database.
- The token-signing secret no longer lives in the database (a backup copy
  could mint tokens): its ``settings`` row is deleted; the key file replaces it.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002_accounts"
down_revision = "0001"
branch_labels = None
depends_on = None

Stamp = sa.String(40)


def upgrade() -> None:
    op.add_column(
        "users", sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false())
    )
    op.create_table(
        "user_assignments",
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column(
            "plan_id", sa.Integer, sa.ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("checkpoint", sa.String(64), primary_key=True),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("created_at", Stamp, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("revoked_at", Stamp, nullable=True),
    )
    op.create_index("ix_user_sessions_user_id", "user_sessions", ["user_id"])
    op.create_table(
        "signin_throttle",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("last_failure_at", sa.Float, nullable=False),
        sa.Column("blocked_until", sa.Float, nullable=False),
    )
    _global_checkpoints_to_assignments()
    op.drop_column("users", "checkpoints")
    op.execute(sa.text("DELETE FROM settings WHERE key = 'token_secret'"))


def _global_checkpoints_to_assignments() -> None:
    bind = op.get_bind()
    plan_ids = [row[0] for row in bind.execute(sa.text("SELECT id FROM plans"))]
    users = bind.execute(sa.text("SELECT id, checkpoints FROM users")).all()
    rows = [
        {"user_id": user_id, "plan_id": plan_id, "checkpoint": str(checkpoint)[:64]}
        for user_id, checkpoints in users
        for checkpoint in sorted(set(json.loads(checkpoints or "[]")))
        for plan_id in plan_ids
    ]
    if rows:
        bind.execute(
            sa.text(
                "INSERT INTO user_assignments (user_id, plan_id, checkpoint) "
                "VALUES (:user_id, :plan_id, :checkpoint)"
            ),
            rows,
        )


def downgrade() -> None:
    op.add_column("users", sa.Column("checkpoints", sa.Text, nullable=False, server_default="[]"))
    bind = op.get_bind()
    by_user: dict[int, set[str]] = {}
    for user_id, checkpoint in bind.execute(
        sa.text("SELECT user_id, checkpoint FROM user_assignments")
    ):
        by_user.setdefault(user_id, set()).add(checkpoint)
    for user_id, checkpoints in by_user.items():
        bind.execute(
            sa.text("UPDATE users SET checkpoints = :cps WHERE id = :id"),
            {"cps": json.dumps(sorted(checkpoints)), "id": user_id},
        )
    op.drop_table("signin_throttle")
    op.drop_index("ix_user_sessions_user_id", "user_sessions")
    op.drop_table("user_sessions")
    op.drop_table("user_assignments")
    op.drop_column("users", "disabled")
