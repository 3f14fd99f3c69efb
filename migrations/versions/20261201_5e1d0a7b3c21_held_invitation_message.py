"""held invitation message: the lead's message kept with invitations held until opening

Revision ID: 5e1d0a7b3c21
Revises: 0c0ffee12345
Create Date: 2026-12-01 10:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5e1d0a7b3c21"
down_revision = "0c0ffee12345"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("held_message", sa.Text(), server_default="", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_column("held_message")
