"""Letterhead (logo and lines) per organization; fingerprint, signature block and the
published notice per letter

Revision ID: 5e1d2c3b4a90
Revises: 939f8e16e69d
Create Date: 2026-12-01 09:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "5e1d2c3b4a90"
down_revision = "939f8e16e69d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("letterhead_logo", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("letterhead_logo_type", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("letterhead_lines", sa.Text(), nullable=False, server_default="")
        )
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "fingerprint_on_pages", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch_op.add_column(
            sa.Column("signature_block", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("published_notice_at", sa.DateTime(timezone=True)))


def downgrade():
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_column("published_notice_at")
        batch_op.drop_column("signature_block")
        batch_op.drop_column("fingerprint_on_pages")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("letterhead_lines")
        batch_op.drop_column("letterhead_logo_type")
        batch_op.drop_column("letterhead_logo")
