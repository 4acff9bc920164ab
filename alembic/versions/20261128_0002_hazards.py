"""hazards: the ledger, its history, photo links and uploads, ledger counters, change log

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 19:48:27.274587
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.models.base import UTCDateTime

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("txid", sa.BigInteger(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("grid_id", sa.Uuid(), nullable=True),
        sa.Column("prev_grid_id", sa.Uuid(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_changes")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_changes_enterprise", ["enterprise_id", "txid", "seq"], unique=False
        )
        batch_op.create_index("ix_changes_position", ["txid", "seq"], unique=False)

    op.create_table(
        "ledger_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_ledger_counters")),
    )
    op.create_table(
        "hazards",
        sa.Column("ledger_no", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=4000), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("hazard_type", sa.String(length=32), nullable=True),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column(
            "basis",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("fixed_on_spot", sa.Boolean(), nullable=False),
        sa.Column("found_at", UTCDateTime(), nullable=False),
        sa.Column("found_by", sa.Uuid(), nullable=True),
        sa.Column("found_by_role", sa.String(length=32), nullable=True),
        sa.Column("inspection_id", sa.Uuid(), nullable=True),
        sa.Column("responsible_person", sa.String(length=100), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("measures", sa.String(length=4000), nullable=True),
        sa.Column("funds", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("goal", sa.String(length=2000), nullable=True),
        sa.Column("interim_measures", sa.String(length=4000), nullable=True),
        sa.Column("emergency_plan", sa.String(length=4000), nullable=True),
        sa.Column("evidence", sa.String(length=4000), nullable=True),
        sa.Column("planned_at", UTCDateTime(), nullable=True),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("verified_at", UTCDateTime(), nullable=True),
        sa.Column("verified_by", sa.Uuid(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("voided_at", UTCDateTime(), nullable=True),
        sa.Column("void_reason", sa.String(length=2000), nullable=True),
        sa.Column("supervised", sa.Boolean(), nullable=False),
        sa.Column("supervise_unit", sa.String(length=200), nullable=True),
        sa.Column("supervise_due", sa.Date(), nullable=True),
        sa.Column("supervised_at", UTCDateTime(), nullable=True),
        sa.Column("production_suspended", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "created_at",
            UTCDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            UTCDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_hazards_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazards")),
        sa.UniqueConstraint("ledger_no", name=op.f("uq_hazards_ledger_no")),
    )
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_hazards_category_found", ["category", "found_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_hazards_enterprise_found", ["enterprise_id", "found_at", "id"], unique=False
        )
        batch_op.create_index("ix_hazards_found_at_id", ["found_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_hazards_inspection_id"), ["inspection_id"], unique=False
        )
        batch_op.create_index("ix_hazards_level_found", ["level", "found_at", "id"], unique=False)
        batch_op.create_index("ix_hazards_source_found", ["source", "found_at", "id"], unique=False)
        batch_op.create_index("ix_hazards_status_deadline", ["status", "deadline"], unique=False)
        batch_op.create_index("ix_hazards_status_found", ["status", "found_at", "id"], unique=False)
        batch_op.create_index(
            "ix_hazards_supervised_found", ["supervised", "found_at", "id"], unique=False
        )

    op.create_table(
        "hazard_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(length=4000), nullable=True),
        sa.Column(
            "data",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazards.id"],
            name=op.f("fk_hazard_history_hazard_id_hazards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_history")),
        sa.UniqueConstraint("hazard_id", "seq", name=op.f("uq_hazard_history_hazard_id_seq")),
    )
    op.create_table(
        "uploads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_uploads_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"],
            ["users.id"],
            name=op.f("fk_uploads_uploaded_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_uploads")),
    )
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_uploads_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_uploads_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_uploads_uploaded_by"), ["uploaded_by"], unique=False)

    op.create_table(
        "hazard_photos",
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazards.id"],
            name=op.f("fk_hazard_photos_hazard_id_hazards"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["uploads.id"],
            name=op.f("fk_hazard_photos_upload_id_uploads"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("hazard_id", "upload_id", name=op.f("pk_hazard_photos")),
    )
    with op.batch_alter_table("hazard_photos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_photos_upload_id"), ["upload_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("hazard_photos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_photos_upload_id"))

    op.drop_table("hazard_photos")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploads_uploaded_by"))
        batch_op.drop_index(batch_op.f("ix_uploads_sha256"))
        batch_op.drop_index(batch_op.f("ix_uploads_enterprise_id"))

    op.drop_table("uploads")
    op.drop_table("hazard_history")
    with op.batch_alter_table("hazards", schema=None) as batch_op:
        batch_op.drop_index("ix_hazards_supervised_found")
        batch_op.drop_index("ix_hazards_status_found")
        batch_op.drop_index("ix_hazards_status_deadline")
        batch_op.drop_index("ix_hazards_source_found")
        batch_op.drop_index("ix_hazards_level_found")
        batch_op.drop_index(batch_op.f("ix_hazards_inspection_id"))
        batch_op.drop_index("ix_hazards_found_at_id")
        batch_op.drop_index("ix_hazards_enterprise_found")
        batch_op.drop_index("ix_hazards_category_found")

    op.drop_table("hazards")
    op.drop_table("ledger_counters")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_position")
        batch_op.drop_index("ix_changes_enterprise")

    op.drop_table("changes")
