"""permits: permits to work (作业票), the confined-space ledger and approval delegations

Revision ID: 0016
Revises: 0009
Create Date: 2026-12-01 05:01:52

Issue 15. Every foreign key is RESTRICT: permits, their tests, entries and history are kept
(GB 30871-2022 B.3, ≥ 1 year; by default forever) and never cascade away with a parent.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.models.base import JSONType, UTCDateTime

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "confined_spaces",
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("medium", sa.String(length=300), nullable=True),
        sa.Column("poisoning_gases", JSONType, nullable=False),
        sa.Column("poisoning_risk", sa.Boolean(), nullable=False),
        sa.Column("signs_posted", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
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
            name=op.f("fk_confined_spaces_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_confined_spaces")),
        sa.UniqueConstraint(
            "enterprise_id", "code", name=op.f("uq_confined_spaces_enterprise_id_code")
        ),
    )
    op.create_table(
        "permit_counters",
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_permit_counters_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("enterprise_id", "year", name=op.f("pk_permit_counters")),
    )
    op.create_table(
        "permit_delegations",
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("grantee_id", sa.Uuid(), nullable=False),
        sa.Column("duty", sa.String(length=32), nullable=False),
        sa.Column("permit_types", JSONType, nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=False),
        sa.Column("document_upload_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=2000), nullable=True),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=2000), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
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
            name=op.f("fk_permit_delegations_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["grantee_id"],
            ["users.id"],
            name=op.f("fk_permit_delegations_grantee_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_delegations")),
    )
    with op.batch_alter_table("permit_delegations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permit_delegations_enterprise_id"), ["enterprise_id"], unique=False
        )
        batch_op.create_index(
            "ix_permit_delegations_grantee", ["grantee_id", "enterprise_id"], unique=False
        )

    op.create_table(
        "permits",
        sa.Column("enterprise_id", sa.Uuid(), nullable=False),
        sa.Column("permit_no", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=True),
        sa.Column("grade_computed", sa.String(length=16), nullable=True),
        sa.Column("grade_inputs", JSONType, nullable=False),
        sa.Column("grade_reasons", JSONType, nullable=False),
        sa.Column("grade_override_reason", sa.String(length=2000), nullable=True),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("work_content", sa.String(length=4000), nullable=False),
        sa.Column("method", sa.String(length=300), nullable=True),
        sa.Column("work_unit", sa.String(length=200), nullable=True),
        sa.Column("risk_identification", sa.String(length=4000), nullable=True),
        sa.Column("confined_space_id", sa.Uuid(), nullable=True),
        sa.Column("predecessor_id", sa.Uuid(), nullable=True),
        sa.Column("planned_start", UTCDateTime(), nullable=False),
        sa.Column("planned_end", UTCDateTime(), nullable=False),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_to", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_reason", sa.String(length=2000), nullable=True),
        sa.Column("approval", JSONType, nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=True),
        sa.Column("approved_by", sa.Uuid(), nullable=True),
        sa.Column("requires_review", sa.Boolean(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=True),
        sa.Column("suspended_at", UTCDateTime(), nullable=True),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
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
            ["confined_space_id"],
            ["confined_spaces.id"],
            name=op.f("fk_permits_confined_space_id_confined_spaces"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_permits_enterprise_id_enterprises"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permits")),
        sa.UniqueConstraint(
            "enterprise_id", "permit_no", name=op.f("uq_permits_enterprise_id_permit_no")
        ),
    )
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permits_confined_space_id"), ["confined_space_id"], unique=False
        )
        batch_op.create_index(
            "ix_permits_enterprise_created", ["enterprise_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_permits_status_enterprise", ["status", "enterprise_id"], unique=False
        )

    op.create_table(
        "permit_entries",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("tools", sa.Integer(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_entries_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_entries")),
    )
    with op.batch_alter_table("permit_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permit_entries_permit_id"), ["permit_id"], unique=False
        )

    op.create_table(
        "permit_gas_tests",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("phase", sa.String(length=32), nullable=False),
        sa.Column("point", sa.String(length=100), nullable=True),
        sa.Column("analyst", sa.String(length=100), nullable=False),
        sa.Column("instrument", sa.String(length=100), nullable=True),
        sa.Column("sampled_at", UTCDateTime(), nullable=False),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("readings", JSONType, nullable=False),
        sa.Column("judgements", JSONType, nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("rules_version", sa.String(length=64), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_gas_tests_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_gas_tests")),
    )
    with op.batch_alter_table("permit_gas_tests", schema=None) as batch_op:
        batch_op.create_index(
            "ix_permit_gas_tests_permit_sampled", ["permit_id", "sampled_at"], unique=False
        )

    op.create_table(
        "permit_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("note", sa.String(length=4000), nullable=True),
        sa.Column("data", JSONType, nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_history_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_history")),
        sa.UniqueConstraint("permit_id", "seq", name=op.f("uq_permit_history_permit_id_seq")),
    )
    op.create_table(
        "permit_interruptions",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.String(length=2000), nullable=False),
        sa.Column("order_stop", sa.Boolean(), nullable=False),
        sa.Column("reviewed_by", sa.Uuid(), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_interruptions_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_interruptions")),
    )
    with op.batch_alter_table("permit_interruptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permit_interruptions_permit_id"), ["permit_id"], unique=False
        )

    op.create_table(
        "permit_measures",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("involved", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=100), nullable=True),
        sa.Column("confirmed_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_measures_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_measures")),
        sa.UniqueConstraint("permit_id", "code", name=op.f("uq_permit_measures_permit_id_code")),
    )
    with op.batch_alter_table("permit_measures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permit_measures_permit_id"), ["permit_id"], unique=False
        )

    op.create_table(
        "permit_people",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("certificate_id", sa.Uuid(), nullable=True),
        sa.Column("checked_in_at", UTCDateTime(), nullable=True),
        sa.Column("checked_out_at", UTCDateTime(), nullable=True),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_permit_people_certificate_id_certificates"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_people_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_people")),
    )
    with op.batch_alter_table("permit_people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_permit_people_permit_id"), ["permit_id"], unique=False)

    op.create_table(
        "permit_signoffs",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("signer_id", sa.Uuid(), nullable=False),
        sa.Column("duty", sa.String(length=32), nullable=True),
        sa.Column("delegation_id", sa.Uuid(), nullable=True),
        sa.Column("on_site", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.String(length=2000), nullable=True),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_signoffs_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_signoffs")),
    )
    with op.batch_alter_table("permit_signoffs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permit_signoffs_permit_id"), ["permit_id"], unique=False
        )

    op.create_table(
        "permit_ventilation",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_ventilation_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_ventilation")),
    )
    with op.batch_alter_table("permit_ventilation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_permit_ventilation_permit_id"), ["permit_id"], unique=False
        )

    op.create_table(
        "permit_violations",
        sa.Column("permit_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=48), nullable=False),
        sa.Column("citation", sa.String(length=200), nullable=False),
        sa.Column("hazard_id", sa.Uuid(), nullable=False),
        sa.Column("detected_at", UTCDateTime(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hazard_id"],
            ["hazards.id"],
            name=op.f("fk_permit_violations_hazard_id_hazards"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["permit_id"],
            ["permits.id"],
            name=op.f("fk_permit_violations_permit_id_permits"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_permit_violations")),
        sa.UniqueConstraint("permit_id", "code", name=op.f("uq_permit_violations_permit_id_code")),
    )


def downgrade() -> None:
    op.drop_table("permit_violations")
    with op.batch_alter_table("permit_ventilation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_ventilation_permit_id"))

    op.drop_table("permit_ventilation")
    with op.batch_alter_table("permit_signoffs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_signoffs_permit_id"))

    op.drop_table("permit_signoffs")
    with op.batch_alter_table("permit_people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_people_permit_id"))

    op.drop_table("permit_people")
    with op.batch_alter_table("permit_measures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_measures_permit_id"))

    op.drop_table("permit_measures")
    with op.batch_alter_table("permit_interruptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_interruptions_permit_id"))

    op.drop_table("permit_interruptions")
    op.drop_table("permit_history")
    with op.batch_alter_table("permit_gas_tests", schema=None) as batch_op:
        batch_op.drop_index("ix_permit_gas_tests_permit_sampled")

    op.drop_table("permit_gas_tests")
    with op.batch_alter_table("permit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_permit_entries_permit_id"))

    op.drop_table("permit_entries")
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.drop_index("ix_permits_status_enterprise")
        batch_op.drop_index("ix_permits_enterprise_created")
        batch_op.drop_index(batch_op.f("ix_permits_confined_space_id"))

    op.drop_table("permits")
    with op.batch_alter_table("permit_delegations", schema=None) as batch_op:
        batch_op.drop_index("ix_permit_delegations_grantee")
        batch_op.drop_index(batch_op.f("ix_permit_delegations_enterprise_id"))

    op.drop_table("permit_delegations")
    op.drop_table("permit_counters")
    op.drop_table("confined_spaces")
