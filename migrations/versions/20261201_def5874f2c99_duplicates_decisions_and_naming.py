"""duplicates: own-organization and similar-name flags, reject reasons, undo, naming requests

Revision ID: def5874f2c99
Revises: 939f8e16e69d
Create Date: 2026-12-01 09:24:45.015472

"""

from alembic import op
import sqlalchemy as sa

revision = "def5874f2c99"
down_revision = "939f8e16e69d"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("own_organization_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("similar_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("match_reason", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("reject_reason", sa.String(length=500), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("undo_state", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("naming_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("naming_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("replaced_verify_token_hash", sa.String(length=64), nullable=True)
        )
        batch_op.create_index(
            batch_op.f("ix_signatures_replaced_verify_token_hash"),
            ["replaced_verify_token_hash"],
            unique=False,
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_signatures_naming_token_hash"), ["naming_token_hash"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_signatures_own_organization_id_organizations"),
            "organizations",
            ["own_organization_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_signatures_similar_to_id_signatures"),
            "signatures",
            ["similar_to_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_signatures_similar_to_id_signatures"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_signatures_own_organization_id_organizations"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_signatures_naming_token_hash"), type_="unique")
        batch_op.drop_index(batch_op.f("ix_signatures_replaced_verify_token_hash"))
        batch_op.drop_column("replaced_verify_token_hash")
        batch_op.drop_column("naming_expires_at")
        batch_op.drop_column("naming_token_hash")
        batch_op.drop_column("undo_state")
        batch_op.drop_column("reject_reason")
        batch_op.drop_column("match_reason")
        batch_op.drop_column("similar_to_id")
        batch_op.drop_column("own_organization_id")
