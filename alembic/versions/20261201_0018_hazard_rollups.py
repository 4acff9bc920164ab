"""hazard rollups at the dashboards' grain; hazard_counts dropped

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-01 10:00:00

Issue 11: /stats/overview read the per-enterprise rollup of migration 0009 (~830,000 cells at
1,000,000 hazards) and walked the closed ledger for its medians. The rollups now follow the
grain the dashboards read (app/models/hazard_counts.py): per (grid, sector, status, level),
per (grid, facet, value), the overdue-state hazards per deadline day and per deadline month,
the closed hazards per Shanghai closing day and per whole day found→closed. Backfilled set-based
from the ledger
(the SQL is copied here on purpose: a migration must not change when the application does;
tests check it gives what the flush hooks keep). `hazard_counts` is no longer read: dropped.
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FROM = "FROM hazards h JOIN enterprises e ON e.id = h.enterprise_id"
_CLOSED = "WHERE h.status = 'closed' AND h.closed_at IS NOT NULL"
_PG = (
    "(h.closed_at AT TIME ZONE 'Asia/Shanghai')::date",
    "floor(extract(epoch FROM h.closed_at - h.found_at) / 86400)::int",
    "date_trunc('month', h.deadline)::date",
)
_SQLITE = (
    "date(h.closed_at, '+8 hours')",
    "CAST(floor(julianday(h.closed_at) - julianday(h.found_at)) AS INTEGER)",
    "date(h.deadline, 'start of month')",
)
_DUE = "WHERE h.status IN ('reported', 'rectifying') AND h.deadline IS NOT NULL"


def backfill(dialect: str) -> list[str]:
    closed_on, span, month = _PG if dialect == "postgresql" else _SQLITE
    return [
        "INSERT INTO hazard_tallies (grid_id, sector, status, level, n) "
        f"SELECT e.grid_id, e.sector, h.status, h.level, count(*) {_FROM} GROUP BY 1, 2, 3, 4",
        "INSERT INTO hazard_facets (grid_id, facet, value, n) "
        f"SELECT e.grid_id, 'source', h.source, count(*) {_FROM} GROUP BY 1, 3 UNION ALL "
        f"SELECT e.grid_id, 'category', h.category, count(*) {_FROM} GROUP BY 1, 3",
        "INSERT INTO hazard_deadlines (grid_id, sector, status, level, deadline, n) "
        f"SELECT e.grid_id, e.sector, h.status, h.level, h.deadline, count(*) {_FROM} "
        f"{_DUE} GROUP BY 1, 2, 3, 4, 5",
        "INSERT INTO hazard_deadline_months (grid_id, sector, status, level, deadline, n) "
        f"SELECT e.grid_id, e.sector, h.status, h.level, {month}, count(*) {_FROM} "
        f"{_DUE} GROUP BY 1, 2, 3, 4, 5",
        "INSERT INTO hazard_closings (grid_id, closed_on, n) "
        f"SELECT e.grid_id, {closed_on}, count(*) {_FROM} {_CLOSED} GROUP BY 1, 2",
        "INSERT INTO hazard_close_spans (grid_id, level, span_days, n) "
        f"SELECT e.grid_id, h.level, {span}, count(*) {_FROM} {_CLOSED} GROUP BY 1, 2, 3",
    ]


def _grid(table: str) -> list[Any]:
    return [
        sa.Column("grid_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["grid_id"], ["grids.id"], name=f"fk_{table}_grid_id_grids", ondelete="RESTRICT"
        ),
    ]


def _table(name: str, *cols: Any) -> None:
    keys = ["grid_id", *(c.name for c in cols)]
    op.create_table(
        name,
        *_grid(name),
        *cols,
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(*keys, name=f"pk_{name}"),
    )


def upgrade() -> None:
    s32, s16 = sa.String(length=32), sa.String(length=16)
    _table(
        "hazard_tallies",
        sa.Column("sector", s32, nullable=False),
        sa.Column("status", s32, nullable=False),
        sa.Column("level", s16, nullable=False),
    )
    _table(
        "hazard_facets",
        sa.Column("facet", s16, nullable=False),
        sa.Column("value", s32, nullable=False),
    )
    for name in ("hazard_deadlines", "hazard_deadline_months"):
        _table(
            name,
            sa.Column("sector", s32, nullable=False),
            sa.Column("status", s32, nullable=False),
            sa.Column("level", s16, nullable=False),
            sa.Column("deadline", sa.Date(), nullable=False),
        )
    op.create_index("ix_hazard_deadlines_deadline", "hazard_deadlines", ["deadline"])
    _table("hazard_closings", sa.Column("closed_on", sa.Date(), nullable=False))
    _table(
        "hazard_close_spans",
        sa.Column("level", s16, nullable=False),
        sa.Column("span_days", sa.Integer(), nullable=False),
    )
    op.create_index("ix_enterprises_grid_sector", "enterprises", ["grid_id", "sector"])
    # /stats/targets: major hazards by state and deadline, principal checks of a year.
    op.create_index(
        "ix_hazards_level_status",
        "hazards",
        ["level", "status", "deadline"],
        postgresql_include=["enterprise_id"],
    )
    op.create_index(
        "ix_inspections_kind_started",
        "inspections",
        ["kind", "started_at"],
        postgresql_include=["enterprise_id"],
    )
    for stmt in backfill(op.get_bind().dialect.name):
        op.execute(stmt)
    op.drop_table("hazard_counts")


def downgrade() -> None:
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
    op.execute(
        "INSERT INTO hazard_counts (enterprise_id, status, level, source, category, n) "
        "SELECT enterprise_id, status, level, source, category, count(*) FROM hazards "
        "GROUP BY enterprise_id, status, level, source, category"
    )
    op.drop_index("ix_inspections_kind_started", table_name="inspections")
    op.drop_index("ix_hazards_level_status", table_name="hazards")
    op.drop_index("ix_enterprises_grid_sector", table_name="enterprises")
    for name in (
        "hazard_close_spans",
        "hazard_closings",
        "hazard_deadline_months",
        "hazard_deadlines",
        "hazard_facets",
        "hazard_tallies",
    ):
        op.drop_table(name)
