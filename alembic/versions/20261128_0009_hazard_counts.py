"""hazard_counts: the hazard rollup behind /stats/overview, backfilled from the ledger

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 21:30:00

Issue 6: the overview scanned and joined the whole ledger per request (1.7 s at 1,000,000
hazards). The rollup counts hazards per (enterprise, status, level, source, category) and is
kept exact by a flush hook (app/services/hazard_counts.py). The figures that depend on the
date are counted on the ledger: `ix_hazards_status_closed` serves "closed this year" (a
closed_at range), `ix_hazards_overdue` (PostgreSQL, INCLUDE enterprise_id) the overdue
hazards per grid and sector as an index-only scan (a plain index on SQLite). The backfill SQL
is copied here on purpose (a migration must not change when the application does); tests
check both give the ledger's GROUP BY.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL = (
    "INSERT INTO hazard_counts (enterprise_id, status, level, source, category, n) "
    "SELECT enterprise_id, status, level, source, category, count(*) FROM hazards "
    "GROUP BY enterprise_id, status, level, source, category"
)


def upgrade() -> None:
    op.create_table(
        "hazard_counts",
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_hazard_counts_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint(
            "enterprise_id", "status", "level", "source", "category", name=op.f("pk_hazard_counts")
        ),
    )
    op.create_index("ix_hazards_status_closed", "hazards", ["status", "closed_at"])
    # Overdue per grid/sector as an index-only scan (the enterprise id comes with it).
    op.create_index(
        "ix_hazards_overdue",
        "hazards",
        ["status", "deadline"],
        postgresql_include=["enterprise_id"],
    )
    op.execute(BACKFILL)


def downgrade() -> None:
    op.drop_index("ix_hazards_overdue", table_name="hazards")
    op.drop_index("ix_hazards_status_closed", table_name="hazards")
    op.drop_table("hazard_counts")
