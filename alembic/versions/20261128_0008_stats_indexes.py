"""stats indexes: days-to-close medians without sorting the closed ledger

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 21:00:00

/stats/overview's median days-to-close per level (bench/README.md "Full scale"): ordered by
the close span, the median is an index-only OFFSET walk instead of a sort of every closed
hazard (0.85 s at 1,000,000 hazards). PostgreSQL only: SQLite keeps its ORDER BY … OFFSET
over the small ledgers it serves. Not partial (no `WHERE status = 'closed'`): the statistics'
statements are prepared with bound parameters, and a generic plan could not prove a partial
index's predicate.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE INDEX ix_hazards_close_span ON hazards "
        "(status, level, (closed_at - found_at)) INCLUDE (found_at, closed_at)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX ix_hazards_close_span")
