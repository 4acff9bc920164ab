"""permit ops: the rule sets permits were issued under, and permit photos

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-01 09:50:00

Issue 15 (branch permits-ops). `permit_rule_sets` keeps each cited rules table by the
version stamped on permits (permits.md §8); `permit_photos` links uploads to a permit's gas
tests, measures and completion, one record per upload. RESTRICT everywhere: kept forever.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import JSONType, UTCDateTime

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "permit_rule_sets",
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("jurisdiction", sa.String(length=60), nullable=False),
        sa.Column("table", JSONType, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_permit_rule_sets")),
    )
    op.create_table(
        "permit_photos",
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=True),
        sa.Column("attached_by", sa.Uuid(), nullable=True),
        sa.Column("attached_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_photos_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
            name=op.f("fk_permit_photos_upload_id_uploads"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("upload_id", name=op.f("pk_permit_photos")),
    )
    with op.batch_alter_table("permit_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_photos_permit_id"), ["permit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("permit_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_photos_permit_id"))
    op.drop_table("permit_photos")
    op.drop_table("permit_rule_sets")
