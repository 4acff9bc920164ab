"""Webhook subscriptions of dashboards / integration clients and the delivery of outbox events
to them (brief §1 "receives webhooks"; quality notes §7 "Outbox for notifications")."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.audit import BigIntPK
from app.models.base import Base, IdMixin, JSONType, utcnow


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    failed = "failed"
    # The subscription was switched off between the event and its delivery: nothing sent,
    # shown in the list (last_error "subscription_inactive") and re-sendable once active.
    skipped = "skipped"


DELIVERY_STATUS_LABELS: dict[str, str] = {
    DeliveryStatus.pending: "待投递",
    DeliveryStatus.delivered: "已投递",
    DeliveryStatus.failed: "投递失败",
    DeliveryStatus.skipped: "已跳过（订阅已停用）",
}


class WebhookSubscription(IdMixin, Base):
    """Where to POST which topics. The secret signs each delivery (HMAC-SHA256), so it is
    stored as given; the API shows it once, in the create response."""

    __tablename__ = "webhook_subscriptions"

    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(128))
    # Patterns such as "hazard.*" or exact topics; an empty list means every topic.
    topics: Mapped[list[str]] = mapped_column(JSONType, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """One outbox event for one subscription; the relay retries it until delivered or failed."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "subscription_id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        ForeignKey("outbox_events.id", ondelete="CASCADE"),
    )
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(200))
    delivered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
