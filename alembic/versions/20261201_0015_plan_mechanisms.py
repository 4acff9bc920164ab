"""plan mechanisms (issue 14): standardization designations, 重大涉险 accidents, inspection
plans and 双随机 draws, priority tasks, 五带头 records, disclosures, bulletins

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-01 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.models.base import UTCDateTime

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_T = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _timestamps() -> list[sa.Column[object]]:
    now = sa.text("(CURRENT_TIMESTAMP)")
    return [
        sa.Column("created_at", UTCDateTime(), server_default=now, nullable=False),
        sa.Column("updated_at", UTCDateTime(), server_default=now, nullable=False),
    ]


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

    op.create_table(
        "bulletins",
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("label", sa.String(length=32), nullable=False),
        sa.Column(
            "summary",
            JSON_T,
            nullable=False,
        ),
        sa.Column("xlsx", sa.LargeBinary(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulletins")),
        sa.UniqueConstraint(
            "period_start", "period_end", name=op.f("uq_bulletins_period_start_period_end")
        ),
    )
    op.create_table(
        "inspection_plans",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("jurisdiction", sa.String(length=100), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plans")),
        sa.UniqueConstraint(
            "jurisdiction", "year", name=op.f("uq_inspection_plans_jurisdiction_year")
        ),
    )
    op.create_table(
        "priority_tasks",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("focus_kind", sa.String(length=32), nullable=False),
        sa.Column(
            "focus_values",
            JSON_T,
            nullable=False,
        ),
        sa.Column("target_inspected", sa.Integer(), nullable=True),
        sa.Column("target_note", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_tasks")),
    )
    with op.batch_alter_table("priority_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_priority_tasks_year", ["year", "id"], unique=False)

    op.create_table(
        "inspection_plan_items",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("legal_basis", sa.Text(), nullable=False),
        sa.Column("method", sa.String(length=200), nullable=False),
        sa.Column("frequency", sa.String(length=100), nullable=False),
        sa.Column("yearly_cap", sa.Integer(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plans.id"],
            name=op.f("fk_inspection_plan_items_plan_id_inspection_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_plan_items")),
    )
    with op.batch_alter_table("inspection_plan_items", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_plan_items_plan_id"), ["plan_id"], unique=False
        )

    op.create_table(
        "inspection_draws",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("plan_item_id", sa.Uuid(), nullable=True),
        sa.Column("algorithm", sa.String(length=32), nullable=False),
        sa.Column("seed", sa.String(length=128), nullable=False),
        sa.Column("count", sa.Integer(), nullable=True),
        sa.Column("ratio_percent", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("drawn_count", sa.Integer(), nullable=False),
        sa.Column("inspectors_per_enterprise", sa.Integer(), nullable=False),
        sa.Column("avoid_own_grid", sa.Boolean(), nullable=False),
        sa.Column(
            "object_pool",
            JSON_T,
            nullable=False,
        ),
        sa.Column(
            "exclusions",
            JSON_T,
            nullable=False,
        ),
        sa.Column(
            "inspector_pool",
            JSON_T,
            nullable=False,
        ),
        sa.Column(
            "result",
            JSON_T,
            nullable=False,
        ),
        sa.Column(
            "witnesses",
            JSON_T,
            nullable=False,
        ),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plans.id"],
            name=op.f("fk_inspection_draws_plan_id_inspection_plans"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_item_id"],
            ["inspection_plan_items.id"],
            name=op.f("fk_inspection_draws_plan_item_id_inspection_plan_items"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspection_draws")),
    )
    with op.batch_alter_table("inspection_draws", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspection_draws_plan_created", ["plan_id", "created_at", "id"], unique=False
        )

    op.create_table(
        "inspection_key_list",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_inspection_key_list_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["inspection_plans.id"],
            name=op.f("fk_inspection_key_list_plan_id_inspection_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "enterprise_id", name=op.f("pk_inspection_key_list")),
    )
    op.create_table(
        "principal_actions",
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("principal_name", sa.String(length=100), nullable=False),
        sa.Column("acted_on", sa.Date(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_principal_actions_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_principal_actions")),
    )
    with op.batch_alter_table("principal_actions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_principal_actions_enterprise_on", ["enterprise_id", "acted_on", "id"], unique=False
        )

    op.create_table(
        "disclosures",
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("hazard_id", sa.Uuid(), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=False),
        sa.Column("item", sa.Text(), nullable=False),
        sa.Column("basis", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("case_status", sa.String(length=100), nullable=True),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("unpublished_at", UTCDateTime(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_disclosures_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazards.id"],
            name=op.f("fk_disclosures_hazard_id_hazards"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosures_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index("ix_disclosures_published", ["published_at", "id"], unique=False)

    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("plan_item_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("draw_id", sa.Uuid(), nullable=True))
        batch_op.add_column(
            sa.Column("trigger", sa.String(length=16), server_default="routine", nullable=False)
        )
        batch_op.create_index(
            batch_op.f("ix_inspections_plan_item_id"), ["plan_item_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_inspections_plan_item_id_inspection_plan_items"),
            "inspection_plan_items",
            ["plan_item_id"],
            ["id"],
            ondelete="RESTRICT",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_inspections_draw_id_inspection_draws"),
            "inspection_draws",
            ["draw_id"],
            ["id"],
            ondelete="RESTRICT",
        )


def downgrade() -> None:
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_inspections_draw_id_inspection_draws"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_inspections_plan_item_id_inspection_plan_items"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_inspections_plan_item_id"))
        batch_op.drop_column("trigger")
        batch_op.drop_column("draw_id")
        batch_op.drop_column("plan_item_id")

    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosures_published")
        batch_op.drop_index(batch_op.f("ix_disclosures_enterprise_id"))

    op.drop_table("disclosures")
    with op.batch_alter_table("principal_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_principal_actions_enterprise_on")

    op.drop_table("principal_actions")
    op.drop_table("inspection_key_list")
    with op.batch_alter_table("inspection_draws", schema=None) as batch_op:
        batch_op.drop_index("ix_inspection_draws_plan_created")

    op.drop_table("inspection_draws")
    with op.batch_alter_table("inspection_plan_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_plan_items_plan_id"))

    op.drop_table("inspection_plan_items")
    with op.batch_alter_table("priority_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_priority_tasks_year")

    op.drop_table("priority_tasks")
    op.drop_table("inspection_plans")
    op.drop_table("bulletins")
    with op.batch_alter_table("accidents") as batch:
        batch.drop_column("major_risk_event")
    with op.batch_alter_table("enterprises") as batch:
        batch.drop_column("standardization_required")
        batch.drop_column("standardization_benchmark_year")
