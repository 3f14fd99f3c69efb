"""Merge the day's branches: trust, the list, delivery, the lead's pages, printing

Revision ID: 0c0ffee12345
Revises: 28cf3a9ac75c, 5b1e2f7a9c3d, 5e1d2c3b4a90, 914c2f59b93a, a7c31e5b9d42, def5874f2c99,
    eca496cea6c1, f84b9d999192
Create Date: 2026-12-01 11:00:00
"""

revision = "0c0ffee12345"
down_revision = (
    "28cf3a9ac75c",  # after the letter: deliveries, responses, updates (issue 15)
    "5b1e2f7a9c3d",  # second factor (issue 12)
    "5e1d2c3b4a90",  # letterhead and printing (issue 14)
    "914c2f59b93a",  # consent events and the lead signs (issue 13)
    "a7c31e5b9d42",  # collaborators choose their co-lead organization (issue 12)
    "def5874f2c99",  # duplicates, decisions and naming (issue 13)
    "eca496cea6c1",  # notices, sender name, time zone (issue 14)
    "f84b9d999192",  # render jobs and erasure (issue 12)
)
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
