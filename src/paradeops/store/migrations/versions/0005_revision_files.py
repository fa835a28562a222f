"""A plan revision keeps the equipment catalogue it was checked with.

Revision ID: 0005_revision_files
Revises: 0001

The service no longer reads a catalogue from a path named in a plan: it comes
with the upload or from the operator's catalogue folder, and its text is
stored with the revision (as the geometry already is), so that the revision
loads the same later whatever happens to the folder.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_revision_files"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN: batch mode would recreate the table and drop the
    # append-only triggers of revision 0004.
    op.add_column("plan_revisions", sa.Column("equipment_name", sa.String(200), nullable=True))
    op.add_column("plan_revisions", sa.Column("equipment", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("plan_revisions", "equipment")
    op.drop_column("plan_revisions", "equipment_name")
