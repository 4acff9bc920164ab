"""permit hot-work extras and multi-step sign-off

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 09:50:00

Issue 15: related permits (GB 30871-2022 4.6), outdoor flag (5.2.15), the 特级 video
reference (5.2.11), the residual-fire check (5.2.14), sign-off rounds (B.1) and on-site wind
readings (5.2.15, 8.2.6).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import UTCDateTime

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.add_column(sa.Column("related_permit_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("outdoor", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("video_ref", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("residual_checked_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("residual_checked_by", sa.Uuid(), nullable=True))
    with op.batch_alter_table("permit_signoffs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("round", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
    op.create_table(
        "permit_wind_readings",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("force", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_wind_readings_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_wind_readings")),
    )
    with op.batch_alter_table("permit_wind_readings", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permit_wind_readings_permit_id"), ["permit_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("permit_wind_readings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_wind_readings_permit_id"))
    op.drop_table("permit_wind_readings")
    with op.batch_alter_table("permit_signoffs", schema=None) as batch_op:
        batch_op.drop_column("round")
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.drop_column("residual_checked_by")
        batch_op.drop_column("residual_checked_at")
        batch_op.drop_column("video_ref")
        batch_op.drop_column("outdoor")
        batch_op.drop_column("related_permit_id")
