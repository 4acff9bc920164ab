"""public reports: anonymous uploads, reports with receipt codes, photo links, triage, reward

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-28 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _report_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("receipt_code", sa.String(length=19), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("location_text", sa.String(length=300), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
        sa.Column("enterprise_id", sa.Uuid(), nullable=True),
        sa.Column("contact_phone_encrypted", sa.String(length=255), nullable=True),
        sa.Column("wants_reward", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.Uuid(), nullable=True),
        sa.Column("decided_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("duplicate_of_report_id", sa.Uuid(), nullable=True),
        sa.Column("duplicate_of_hazard_id", sa.Uuid(), nullable=True),
        sa.Column("hazard_id", sa.Uuid(), nullable=True),
        sa.Column("reward_eligible", sa.Boolean(), nullable=True),
        sa.Column("reward_amount", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("reward_paid_on", sa.Date(), nullable=True),
        sa.Column("reward_decided_at", UTCDateTime(), nullable=True),
        sa.Column("reward_decided_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
    ]


def _report_constraints() -> list[sa.Constraint]:
    return [
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_public_reports_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_hazard_id"],
            ["hazards.id"],
            name=op.f("fk_public_reports_duplicate_of_hazard_id_hazards"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["duplicate_of_report_id"],
            ["public_reports.id"],
            name=op.f("fk_public_reports_duplicate_of_report_id_public_reports"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_public_reports_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazards.id"],
            name=op.f("fk_public_reports_hazard_id_hazards"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["reward_decided_by"],
            ["users.id"],
            name=op.f("fk_public_reports_reward_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_reports")),
        sa.UniqueConstraint("receipt_code", name=op.f("uq_public_reports_receipt_code")),
    ]


def upgrade() -> None:
    op.create_table("public_reports", *_report_columns(), *_report_constraints())
    with op.batch_alter_table("public_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_public_reports_enterprise_received",
            ["enterprise_id", "received_at", "id"],
            unique=False,
        )
        batch_op.create_index("ix_public_reports_lat_lng", ["latitude", "longitude"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_public_reports_hazard_id"), ["hazard_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_public_reports_outcome"), ["outcome"], unique=False)
        batch_op.create_index("ix_public_reports_received_id", ["received_at", "id"], unique=False)

    op.create_table(
        "public_uploads",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("used_by_report_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["used_by_report_id"],
            ["public_reports.id"],
            name=op.f("fk_public_uploads_used_by_report_id_public_reports"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_uploads")),
    )
    with op.batch_alter_table("public_uploads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_uploads_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_public_uploads_sha256"), ["sha256"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_public_uploads_used_by_report_id"), ["used_by_report_id"], unique=False
        )

    op.create_table(
        "public_report_photos",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("upload_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["public_reports.id"],
            name=op.f("fk_public_report_photos_report_id_public_reports"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["upload_id"],
            ["public_uploads.id"],
            name=op.f("fk_public_report_photos_upload_id_public_uploads"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("report_id", "upload_id", name=op.f("pk_public_report_photos")),
    )
    with op.batch_alter_table("public_report_photos", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_report_photos_upload_id"), ["upload_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("public_report_photos")
    op.drop_table("public_uploads")
    op.drop_table("public_reports")
