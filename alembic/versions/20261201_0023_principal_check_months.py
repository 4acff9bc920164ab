"""principal checks per enterprise and Shanghai month

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 13:30:00

Issue 11: /stats/targets computed the Shanghai month of each of the year's principal checks
(22,748 at full scale) on every request. `principal_check_months` keeps (Shanghai year,
enterprise, Shanghai month) → checks (app/models/inspection_counts.py), maintained by the
flush hooks of app/services/inspection_counts.py. Backfilled set-based from the inspections
(the SQL is copied here on purpose: a migration must not change when the application does;
tests check it gives what the flush hooks keep).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | Sequence[str] | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def backfill(dialect: str) -> str:
    if dialect == "postgresql":
        local = "timezone('Asia/Shanghai', started_at)"
        year, month = f"extract(year FROM {local})::int", f"extract(month FROM {local})::int"
    else:
        year = "CAST(strftime('%Y', started_at, '+8 hours') AS INTEGER)"
        month = "CAST(strftime('%m', started_at, '+8 hours') AS INTEGER)"
    return (
        "INSERT INTO principal_check_months (year, enterprise_id, month, n) "
        f"SELECT {year}, enterprise_id, {month}, count(*) FROM inspections "
        "WHERE kind = 'principal_check' GROUP BY 1, 2, 3"
    )


def upgrade() -> None:
    op.create_table(
        "principal_check_months",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name="fk_principal_check_months_enterprise_id_enterprises",
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("year", "enterprise_id", "month", name="pk_principal_check_months"),
    )
    op.execute(backfill(op.get_bind().dialect.name))


def downgrade() -> None:
    op.drop_table("principal_check_months")
