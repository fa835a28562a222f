"""Merge the four branches that grew from 0001 into one head.

Revision ID: 0006_merge
Revises: 0002_accounts, 0003_checkins, 0004_append_only, 0005_revision_files

Revisions 0002 to 0005 each revise 0001 and touch different tables; this
revision changes nothing but joins them, so that the schema has one head
(``paradeops db upgrade`` prints "schema at 0006_merge") and the next
migration revises it alone.
"""

revision = "0006_merge"
down_revision = ("0002_accounts", "0003_checkins", "0004_append_only", "0005_revision_files")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
