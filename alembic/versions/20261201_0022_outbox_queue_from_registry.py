"""outbox rows no longer carry a queue

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 12:50:00

Issue 13: a job's queue is the one its task was registered with (app/tasks); the relay asks
procrastinate for the task's own queue. The column let every service-written row say
`default`, so a worker started with `--queues webhooks` never saw a webhook job.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.drop_column("queue")


def downgrade() -> None:
    with op.batch_alter_table("outbox_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("queue", sa.String(length=32), nullable=False, server_default="default")
        )
