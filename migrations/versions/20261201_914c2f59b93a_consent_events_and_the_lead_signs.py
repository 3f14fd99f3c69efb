"""consent events and the lead signs: a consent history per signature, the letter setting
"Our organization signs this letter", and the organization a member signed for

Existing signatures get their history from the columns they have: "signed" when created,
"confirmed_address" when verified, "withdrew" when withdrawn. A signature whose version was
moved on by a reconfirmation (its version was saved after it signed) is not misdated: it
signed the version current at the time, and "reconfirmed" the newer one when that version
was saved (the earliest moment it can have agreed to it; the exact time was never kept).

Revision ID: 914c2f59b93a
Revises: 939f8e16e69d
Create Date: 2026-12-01 09:23:10.677993

"""

import sqlalchemy as sa
from alembic import op

revision = "914c2f59b93a"
down_revision = "939f8e16e69d"
branch_labels = None
depends_on = None

KINDS = (
    "signed", "confirmed_address", "reconfirmed", "listing_changed", "withdrew",
    "lead_organization", "imported",
)  # fmt: skip
CHANNELS = {"invitation": "invitation link", "open_link": "open link", "lead": "lead on behalf"}


def upgrade():
    op.create_table(
        "consent_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signature_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="consent_kind", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["signature_id"],
            ["signatures.id"],
            name=op.f("fk_consent_events_signature_id_signatures"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_events")),
    )
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.create_index("ix_consent_events_signature_at", ["signature_id", "at"])
    # Plain ALTER TABLE ... ADD COLUMN on every database: on SQLite a batch would copy and
    # drop the table, and dropping `letters` or `signatures` with foreign keys on deletes
    # the rows that refer to them (signatures, links).
    op.add_column(
        "letters", sa.Column("lead_signs", sa.Boolean(), server_default=sa.true(), nullable=False)
    )
    # A plain number, like invitation_id: no foreign key, so SQLite adds it in place.
    op.add_column("signatures", sa.Column("organization_id", sa.Integer(), nullable=True))
    # Letters already open were opened without the lead listed: the setting says so, and the
    # lead switches it on to be listed (new letters are listed when they open).
    letters = sa.table("letters", sa.column("status"), sa.column("lead_signs"))
    op.execute(letters.update().where(letters.c.status != "draft").values(lead_signs=False))
    _history_of_existing_signatures()


def _history_of_existing_signatures():
    bind = op.get_bind()
    meta = sa.MetaData()
    signatures = sa.Table("signatures", meta, autoload_with=bind)
    versions = sa.Table("letter_versions", meta, autoload_with=bind)
    events = sa.Table("consent_events", meta, autoload_with=bind)
    saved: dict[int, list[tuple[int, object]]] = {}
    for letter_id, number, created in bind.execute(
        sa.select(versions.c.letter_id, versions.c.number, versions.c.created_at)
    ):
        saved.setdefault(letter_id, []).append((number, _aware(created)))

    def current_at(letter_id, moment, at_most):  # the newest version saved by `moment`
        found = [n for n, c in saved.get(letter_id, []) if c <= moment and n <= at_most]
        return max(found) if found else None

    rows = []
    for s in bind.execute(
        sa.select(
            signatures.c.id,
            signatures.c.letter_id,
            signatures.c.version_number,
            signatures.c.via,
            signatures.c.created_at,
            signatures.c.verified_at,
            signatures.c.withdrawn_at,
        )  # fmt: skip
    ):
        channel = CHANNELS.get(s.via, "open link")
        created = _aware(s.created_at)
        version_saved = dict(saved.get(s.letter_id, [])).get(s.version_number, created)
        signed_version = current_at(s.letter_id, created, s.version_number) or s.version_number
        when_signed = max(created, dict(saved.get(s.letter_id, [])).get(signed_version, created))
        rows.append(_row(s.id, "signed", signed_version, channel, when_signed))
        if s.verified_at is not None:
            verified = max(_aware(s.verified_at), when_signed)
            number = current_at(s.letter_id, verified, s.version_number) or signed_version
            how = "invitation link" if s.via == "invitation" else "email link"
            rows.append(_row(s.id, "confirmed_address", number, how, verified))
        if version_saved > created and s.version_number != signed_version:
            rows.append(_row(s.id, "reconfirmed", s.version_number, "email link", version_saved))
        if s.withdrawn_at is not None:
            at = max(_aware(s.withdrawn_at), version_saved)
            rows.append(_row(s.id, "withdrew", s.version_number, "email link", at))
    if rows:
        op.bulk_insert(events, rows)


def _aware(moment):
    from datetime import UTC

    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _row(signature_id, kind, version_number, channel, at):
    return {
        "signature_id": signature_id, "kind": kind, "version_number": version_number,
        "channel": channel, "at": at, "detail": {"migrated": True},
    }  # fmt: skip


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # The batches below copy and drop tables; with foreign keys on, dropping a table
        # deletes the rows that refer to it. (Takes effect before the first write.)
        op.execute("PRAGMA foreign_keys=OFF")
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.drop_column("organization_id")
    with op.batch_alter_table("letters", schema=None) as batch_op:
        batch_op.drop_column("lead_signs")
    with op.batch_alter_table("consent_events", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_events_signature_at")
    op.drop_table("consent_events")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA foreign_keys=ON")
