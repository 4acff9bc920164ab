"""Append-only audit trail, the idempotency record, and the transactional outbox."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, JSONType, utcnow

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a BIGINT identity.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class AuditLog(Base):
    """Who did what to which object, with before/after of changed fields (ASVS 16.2.1)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_object", "object_type", "object_id", "id"),
        Index("ix_audit_log_actor", "actor_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_role: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))


class IdempotencyRecord(Base):
    """A POST's first 2xx answer, written in the same transaction as its effect."""

    __tablename__ = "idempotency_records"

    actor: Mapped[str] = mapped_column(String(80), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    body_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(String)
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxStatus(StrEnum):
    pending = "pending"  # waiting to run (local) or to be handed to procrastinate
    done = "done"  # ran to completion in the local runner
    relayed = "relayed"  # handed to procrastinate in the same transaction as its job row
    dead = "dead"  # every attempt failed (local runner); kept for inspection


class OutboxEvent(Base):
    """The transactional outbox (issue 13): a job written with the change that caused it.

    A domain event (`topic` set, task `webhooks.fan_out`) is one kind of job; any registered
    task may be queued the same way. The local runner runs pending rows itself; on PostgreSQL
    `zhiben worker` hands them to procrastinate (`sent_at` = when run or handed over).
    """

    __tablename__ = "outbox_events"
    __table_args__ = (
        Index("ix_outbox_events_unsent", "sent_at", "id"),
        Index("ix_outbox_events_due", "sent_at", "run_after"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    topic: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    task: Mapped[str] = mapped_column(String(100), server_default="webhooks.fan_out")
    args: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), server_default="pending")
    # Not before this time; the local runner also pushes it ahead as its lease on a claim.
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    # Periodic ticks and other at-most-once jobs: a second insert of the same key is a no-op.
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
