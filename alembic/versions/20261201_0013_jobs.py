"""jobs: the outbox as a job queue, reminder stages, notifications, async exports (issue 13)

Revision ID: 0013
Revises: 0009
Create Date: 2026-12-01 05:00:36.399555
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.models.base import UTCDateTime

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("scan_day", sa.Date(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders_sent")),
        sa.UniqueConstraint(
            "object_type",
            "object_id",
            "deadline",
            "stage",
            name=op.f("uq_reminders_sent_object_type_object_id_deadline_stage"),
        ),
    )
    op.create_table(
        "exports",
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("filters", JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("file_key", sa.String(length=200), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("expires_at", UTCDateTime(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["users.id"],
            name=op.f("fk_exports_requested_by_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exports")),
    )
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.create_index("ix_exports_requested_by", ["requested_by", "id"], unique=False)

    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=True),
        sa.Column("unread", sa.Boolean(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_notifications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_inbox", ["user_id", "unread", "created_at", "id"], unique=False
        )

    # recreate: SQLite cannot ADD COLUMN with a non-constant default (run_after).
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("outbox_events", recreate="always" if sqlite else "auto") as batch_op:
        batch_op.add_column(
            sa.Column(
                "task", sa.String(length=100), server_default="webhooks.fan_out", nullable=False
            )
        )
        batch_op.add_column(
            sa.Column("queue", sa.String(length=32), server_default="default", nullable=False)
        )
        batch_op.add_column(sa.Column("args", JSON, server_default="{}", nullable=False))
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="pending", nullable=False)
        )
        batch_op.add_column(
            sa.Column("run_after", UTCDateTime(), server_default=sa.func.now(), nullable=False)
        )
        batch_op.add_column(sa.Column("last_error", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("dedupe_key", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_outbox_events_due", ["sent_at", "run_after"], unique=False)
        batch_op.create_unique_constraint(batch_op.f("uq_outbox_events_dedupe_key"), ["dedupe_key"])

    # Events written before this revision and not yet published become fan-out jobs.
    if op.get_bind().dialect.name == "postgresql":
        arg = "jsonb_build_object('event_id', event_id::text)"
    else:
        arg = "json_object('event_id', event_id)"
    op.execute(f"UPDATE outbox_events SET args = {arg} WHERE sent_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_outbox_events_dedupe_key"), type_="unique")
        batch_op.drop_index("ix_outbox_events_due")
        batch_op.drop_column("dedupe_key")
        batch_op.drop_column("last_error")
        batch_op.drop_column("run_after")
        batch_op.drop_column("status")
        batch_op.drop_column("args")
        batch_op.drop_column("queue")
        batch_op.drop_column("task")

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_inbox")

    op.drop_table("notifications")
    with op.batch_alter_table("exports", schema=None) as batch_op:
        batch_op.drop_index("ix_exports_requested_by")

    op.drop_table("exports")
    op.drop_table("reminders_sent")
