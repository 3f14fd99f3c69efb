"""after the letter: deliveries, responses, updates, opt-outs, outbox cc/headers/attachments,
recipients' delivery addresses, and held invitations (issue 15)

Revision ID: 28cf3a9ac75c
Revises: 939f8e16e69d
Create Date: 2026-12-01 09:23:44.989863

"""

import sqlalchemy as sa
from alembic import op

revision = "28cf3a9ac75c"
down_revision = "939f8e16e69d"
branch_labels = None
depends_on = None

INVITATION_STATUSES = ("queued", "sent", "opened", "signed", "declined", "failed", "withdrawn")


def _invitation_statuses(values: tuple[str, ...]) -> None:
    """The CHECK constraint of invitations.status, allowing `values`."""
    allowed = ", ".join(f"'{v}'" for v in values)
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_invitations_invitation_status"), type_="check")
        batch_op.create_check_constraint("invitation_status", sa.text(f"status IN ({allowed})"))


def upgrade():
    op.create_table(
        "outbox_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("mimetype", sa.String(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["outbox.id"],
            name=op.f("fk_outbox_attachments_message_id_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_attachments")),
    )
    with op.batch_alter_table("outbox_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outbox_attachments_message_id"), ["message_id"], unique=False
        )

    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "email",
                "by_hand",
                "web_form",
                "fax",
                "meeting",
                "other",
                name="delivery_method",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "accepted",
                "failed",
                "bounced",
                "recorded",
                name="delivery_status",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("to_addrs", sa.Text(), nullable=False),
        sa.Column("cc_addrs", sa.Text(), nullable=False),
        sa.Column("recipients_label", sa.Text(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("smtp_answer", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("proof_filename", sa.String(length=200), nullable=True),
        sa.Column("proof_mimetype", sa.String(length=100), nullable=True),
        sa.Column("proof_content", sa.LargeBinary(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("signatories_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_deliveries_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letters.id"],
            name=op.f("fk_deliveries_letter_id_letters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_letter_id"), ["letter_id"], unique=False)

    op.create_table(
        "letter_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("from_name", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=True),
        sa.Column("file_mimetype", sa.String(length=100), nullable=True),
        sa.Column("file_content", sa.LargeBinary(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_letter_responses_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letters.id"],
            name=op.f("fk_letter_responses_letter_id_letters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_responses")),
    )
    with op.batch_alter_table("letter_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_responses_letter_id"), ["letter_id"], unique=False
        )

    op.create_table(
        "letter_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=False),
        sa.Column("sent_on", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_letter_updates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letters.id"],
            name=op.f("fk_letter_updates_letter_id_letters"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_updates")),
        sa.UniqueConstraint(
            "letter_id", "sent_on", name=op.f("uq_letter_updates_letter_id_sent_on")
        ),
    )
    op.create_table(
        "update_opt_out_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_update_opt_out_links_signature_id_signatures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_update_opt_out_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_update_opt_out_links_token_hash")),
    )
    with op.batch_alter_table("update_opt_out_links", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_update_opt_out_links_signature_id"), ["signature_id"], unique=False
        )

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cc_addrs", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("headers", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.String(length=300), nullable=True))
        batch_op.add_column(
            sa.Column("has_attachments", sa.Boolean(), nullable=False, server_default=sa.false())
        )

    with op.batch_alter_table("recipient_book_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("delivery_to", sa.String(length=1000), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("delivery_cc", sa.String(length=1000), nullable=False, server_default="")
        )

    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updates_opted_out_at", sa.DateTime(timezone=True), nullable=True)
        )

    _invitation_statuses(INVITATION_STATUSES + ("held",))


def downgrade():
    op.execute("UPDATE invitations SET status = 'withdrawn' WHERE status = 'held'")
    _invitation_statuses(INVITATION_STATUSES)
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_column("updates_opted_out_at")

    with op.batch_alter_table("recipient_book_entries", schema=None) as batch_op:
        batch_op.drop_column("delivery_cc")
        batch_op.drop_column("delivery_to")

    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("has_attachments")
        batch_op.drop_column("message_id")
        batch_op.drop_column("headers")
        batch_op.drop_column("cc_addrs")

    with op.batch_alter_table("update_opt_out_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_update_opt_out_links_signature_id"))

    op.drop_table("update_opt_out_links")
    op.drop_table("letter_updates")
    with op.batch_alter_table("letter_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_responses_letter_id"))

    op.drop_table("letter_responses")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_letter_id"))

    op.drop_table("deliveries")
    with op.batch_alter_table("outbox_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_attachments_message_id"))

    op.drop_table("outbox_attachments")
