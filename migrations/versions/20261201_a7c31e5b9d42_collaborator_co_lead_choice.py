"""collaborator co-lead choice: the organization a collaborator names as co-lead on accepting

Revision ID: a7c31e5b9d42
Revises: 939f8e16e69d
Create Date: 2026-12-01 09:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "a7c31e5b9d42"
down_revision = "939f8e16e69d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("letter_collaborators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("co_lead_organization_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_letter_collaborators_co_lead_organization_id_organizations"),
            "organizations",
            ["co_lead_organization_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("letter_collaborators", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_letter_collaborators_co_lead_organization_id_organizations"),
            type_="foreignkey",
        )
        batch_op.drop_column("co_lead_organization_id")
