"""Merge the domain branches; change-feed rows addressed to one account

Revision ID: 0006
Revises: 0003, 0004, 0005
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = ("0003", "0004", "0005")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audience_user_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_changes_audience_user_id"), ["audience_user_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_changes_audience_user_id"))
        batch_op.drop_column("audience_user_id")
