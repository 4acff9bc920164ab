"""What happens on a permit's site: people, measures, sign-offs, ventilation, gas tests,
interruptions, the entry log (GB 30871 6.8c) and violations turned into hazards."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, JSONType, utcnow

_PERMIT_FK = "permits.id"


def _permit_fk() -> Mapped[uuid.UUID]:
    return mapped_column(ForeignKey(_PERMIT_FK, ondelete="RESTRICT"), index=True)


class PermitPerson(IdMixin, Base):
    __tablename__ = "permit_people"

    permit_id: Mapped[uuid.UUID] = _permit_fk()
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="RESTRICT")
    )
    checked_in_at: Mapped[datetime | None] = mapped_column()
    checked_out_at: Mapped[datetime | None] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class PermitMeasure(IdMixin, Base):
    __tablename__ = "permit_measures"
    __table_args__ = (UniqueConstraint("permit_id", "code"),)

    permit_id: Mapped[uuid.UUID] = _permit_fk()
    code: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(1000))
    involved: Mapped[bool] = mapped_column(Boolean)
    confirmed_by: Mapped[str | None] = mapped_column(String(100))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PermitSignoff(IdMixin, Base):
    __tablename__ = "permit_signoffs"

    permit_id: Mapped[uuid.UUID] = _permit_fk()
    step: Mapped[str] = mapped_column(String(32))
    # Each submission is a new round of signatures; a rejection ends its round.
    round: Mapped[int] = mapped_column(Integer, default=1)
    decision: Mapped[str] = mapped_column(String(16))
    signer_id: Mapped[uuid.UUID] = mapped_column()
    duty: Mapped[str | None] = mapped_column(String(32))
    delegation_id: Mapped[uuid.UUID | None] = mapped_column()
    on_site: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(String(2000))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class WindReading(IdMixin, Base):
    """Wind force (Beaufort) read on site at start or resume (GB 30871-2022 5.2.15, 8.2.6)."""

    __tablename__ = "permit_wind_readings"

    permit_id: Mapped[uuid.UUID] = _permit_fk()
    force: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(16))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class VentilationRecord(IdMixin, Base):
    __tablename__ = "permit_ventilation"

    permit_id: Mapped[uuid.UUID] = _permit_fk()
    method: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    recorded_by: Mapped[uuid.UUID | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class GasTest(IdMixin, Base):
    __tablename__ = "permit_gas_tests"
    __table_args__ = (Index("ix_permit_gas_tests_permit_sampled", "permit_id", "sampled_at"),)

    permit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_PERMIT_FK, ondelete="RESTRICT"))
    phase: Mapped[str] = mapped_column(String(32))
    point: Mapped[str | None] = mapped_column(String(100))
    analyst: Mapped[str] = mapped_column(String(100))
    instrument: Mapped[str | None] = mapped_column(String(100))
    sampled_at: Mapped[datetime] = mapped_column()  # device time
    received_at: Mapped[datetime] = mapped_column(default=utcnow)  # server time
    readings: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    judgements: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    passed: Mapped[bool] = mapped_column(Boolean)
    rules_version: Mapped[str] = mapped_column(String(64))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column()


class PermitInterruption(IdMixin, Base):
    __tablename__ = "permit_interruptions"

    permit_id: Mapped[uuid.UUID] = _permit_fk()
    started_at: Mapped[datetime] = mapped_column()
    ended_at: Mapped[datetime | None] = mapped_column()
    reason: Mapped[str] = mapped_column(String(2000))
    order_stop: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column()
    recorded_by: Mapped[uuid.UUID | None] = mapped_column()


class EntryLog(IdMixin, Base):
    """One movement through the entrance, counted by the guardian (GB 30871 6.8c)."""

    __tablename__ = "permit_entries"

    permit_id: Mapped[uuid.UUID] = _permit_fk()
    person: Mapped[str] = mapped_column(String(100))
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    at: Mapped[datetime] = mapped_column()
    tools: Mapped[int] = mapped_column(Integer, default=0)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column()
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class PermitViolation(IdMixin, Base):
    """A detected violation and the hazard it became: one per (permit, rule)."""

    __tablename__ = "permit_violations"
    __table_args__ = (UniqueConstraint("permit_id", "code"),)

    permit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey(_PERMIT_FK, ondelete="RESTRICT"))
    code: Mapped[str] = mapped_column(String(48))
    citation: Mapped[str] = mapped_column(String(200))
    hazard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("hazards.id", ondelete="RESTRICT"))
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
