"""Permit rule sets as issued (permits.md §8: versioned data) and permit photos (issue 15:
photos through the upload flow). Never deleted, like the permits they belong to."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONType, utcnow


class PermitRuleSet(Base):
    """The cited rules table each `Permit.rules_version` names, so a permit is judged by the
    rules it was issued under even after the jurisdiction's file changes."""

    __tablename__ = "permit_rule_sets"

    version: Mapped[str] = mapped_column(String(64), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(60))
    table: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PermitPhoto(Base):
    """A photo on a permit's record: a gas test, a measure, or the completion (残余火种等的
    完工检查, GB 30871-2022 5.2.14 / 4.15). An upload is claimed by one permit record only."""

    __tablename__ = "permit_photos"

    upload_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("uploads.id", ondelete="RESTRICT"), primary_key=True
    )
    permit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("permits.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # gas_test | measure | completion
    record_id: Mapped[uuid.UUID | None] = mapped_column()
    attached_by: Mapped[uuid.UUID | None] = mapped_column()
    attached_at: Mapped[datetime] = mapped_column(default=utcnow)
