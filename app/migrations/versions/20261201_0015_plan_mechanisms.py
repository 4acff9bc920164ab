"""plan mechanisms (issue 14): standardization designations, 重大涉险 accidents, inspection
plans and 双随机 draws, priority tasks, 五带头 records, disclosures, bulletins

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enterprises") as batch:
        batch.add_column(sa.Column("standardization_benchmark_year", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column(
                "standardization_required",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
    with op.batch_alter_table("accidents") as batch:
        batch.add_column(
            sa.Column("major_risk_event", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("accidents") as batch:
        batch.drop_column("major_risk_event")
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_column("standardization_required")
        batch.drop_column("standardization_benchmark_year")
