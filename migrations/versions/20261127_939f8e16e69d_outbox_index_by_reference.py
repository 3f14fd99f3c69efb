"""outbox index by reference: find the emails about one row (an invitation's queued mail)

Revision ID: 939f8e16e69d
Revises: 6f477923ebcf
Create Date: 2026-11-27 20:44:41.232216

"""

from alembic import op

revision = "939f8e16e69d"
down_revision = "6f477923ebcf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_outbox_ref", "outbox", ["ref_type", "ref_id"], unique=False)


def downgrade():
    op.drop_index("ix_outbox_ref", table_name="outbox")
