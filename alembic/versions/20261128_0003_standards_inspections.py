"""standards (versioned checklist, 2023 version loaded), inspections, responses, quiz records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 20:20:00

The data step reads the packaged YAML (`app/reference/hazard-standard.yaml`) and writes
version 2023 unless it is already there, so `zhiben migrate` always leaves it loaded. A later
revision of the standard is a new migration that loads its own file as a new version and
moves `is_current` to it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.models.base import UTCDateTime

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _standards() -> None:
    op.create_table(
        "standards",
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("instrument", sa.String(length=200), nullable=False),
        sa.Column("effective", sa.Date(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_standards")),
    )
    op.create_table(
        "standard_items",
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("article", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("sort_key", sa.Integer(), nullable=False),
        sa.Column("article_label", sa.String(length=32), nullable=False),
        sa.Column("group", sa.String(length=16), nullable=False),
        sa.Column("sector", sa.String(length=32), nullable=True),
        sa.Column("sub_sector", sa.String(length=100), nullable=True),
        sa.Column("rule_kind", sa.String(length=16), nullable=False),
        sa.Column("rule_value", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("summary_en", sa.Text(), nullable=False),
        sa.Column("text_verified", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("scope_note", sa.Text(), nullable=True),
        sa.Column("rule_hint", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version"],
            ["standards.version"],
            name=op.f("fk_standard_items_version_standards"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version", "code", name=op.f("pk_standard_items")),
    )
    with op.batch_alter_table("standard_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_standard_items_version_sort", ["version", "sort_key", "code"], unique=False
        )


def _load_2023() -> None:
    # Imported here: the data step needs the app's parser, the schema steps do not.
    from app.rules.standard import load_standard
    from app.services.standards import item_rows, standard_row

    version = load_standard()
    conn = op.get_bind()
    standards = sa.table(
        "standards",
        sa.column("version", sa.String),
        sa.column("title", sa.String),
        sa.column("instrument", sa.String),
        sa.column("effective", sa.Date),
        sa.column("is_current", sa.Boolean),
    )
    exists = conn.scalar(
        sa.select(sa.func.count())
        .select_from(standards)
        .where(standards.c.version == version.version)
    )
    if exists:
        return
    rows = item_rows(version)
    items = sa.table("standard_items", *(sa.column(k) for k in rows[0]))
    conn.execute(standards.update().values(is_current=False))
    conn.execute(standards.insert().values(**standard_row(version), is_current=True))
    conn.execute(items.insert(), rows)


def _inspections() -> None:
    op.create_table(
        "inspections",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.Column("led_by", sa.String(length=100), nullable=True),
        sa.Column("inspectors", JSON, nullable=False),
        sa.Column("filed_by", sa.Uuid(), nullable=False),
        sa.Column("filed_by_role", sa.String(length=32), nullable=False),
        sa.Column("standard_version", sa.String(length=16), nullable=False),
        sa.Column("checkin_latitude", sa.Float(), nullable=True),
        sa.Column("checkin_longitude", sa.Float(), nullable=True),
        sa.Column("checkin_accuracy_m", sa.Float(), nullable=True),
        sa.Column("checkin_distance_m", sa.Float(), nullable=True),
        sa.Column("far_from_site", sa.Boolean(), nullable=True),
        sa.Column("applicable_count", sa.Integer(), nullable=False),
        sa.Column("answered_count", sa.Integer(), nullable=False),
        sa.Column("quiz_total", sa.Integer(), nullable=False),
        sa.Column("quiz_passed", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            UTCDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            UTCDateTime(),
            server_default=sa.text("(CURRENT_TIMESTAMP)"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_inspections_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["filed_by"],
            ["users.id"],
            name=op.f("fk_inspections_filed_by_users"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["standard_version"],
            ["standards.version"],
            name=op.f("fk_inspections_standard_version_standards"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inspections")),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inspections_enterprise_started", ["enterprise_id", "started_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_inspections_kind"), ["kind"], unique=False)
        batch_op.create_index("ix_inspections_started", ["started_at", "id"], unique=False)


def _children() -> None:
    op.create_table(
        "inspection_quiz",
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_quiz_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inspection_id", "position", name=op.f("pk_inspection_quiz")),
    )
    op.create_table(
        "inspection_responses",
        sa.Column("inspection_id", sa.Uuid(), nullable=False),
        sa.Column("item_code", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("result", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("device_failed", sa.Boolean(), nullable=False),
        sa.Column("photo_ids", JSON, nullable=False),
        sa.Column("hazard_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazards.id"],
            name=op.f("fk_inspection_responses_hazard_id_hazards"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["inspection_id"],
            ["inspections.id"],
            name=op.f("fk_inspection_responses_inspection_id_inspections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inspection_id", "item_code", name=op.f("pk_inspection_responses")),
    )
    with op.batch_alter_table("inspection_responses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inspection_responses_hazard_id"), ["hazard_id"], unique=False
        )


def upgrade() -> None:
    _standards()
    _load_2023()
    _inspections()
    _children()


def downgrade() -> None:
    with op.batch_alter_table("inspection_responses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspection_responses_hazard_id"))
    op.drop_table("inspection_responses")
    op.drop_table("inspection_quiz")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index("ix_inspections_started")
        batch_op.drop_index(batch_op.f("ix_inspections_kind"))
        batch_op.drop_index("ix_inspections_enterprise_started")
    op.drop_table("inspections")
    with op.batch_alter_table("standard_items", schema=None) as batch_op:
        batch_op.drop_index("ix_standard_items_version_sort")
    op.drop_table("standard_items")
    op.drop_table("standards")
