"""The reminder machinery's records (issue 13): which (object, deadline, stage) was sent, and
the in-app notification each recipient reads in the phone app's 待办 inbox."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, JSONType, utcnow


class NotificationKind(StrEnum):
    hazard_deadline = "hazard_deadline"  # 隐患整改期限提醒 / 逾期催办
    hazard_escalation = "hazard_escalation"  # 重大隐患逾期上报街道（建议挂牌督办）
    certificate_expiry = "certificate_expiry"  # 特种作业操作证到期预警
    principal_check_due = "principal_check_due"  # 主要负责人带队检查未完成
    drill_due = "drill_due"  # 疏散逃生演练未完成
    report_untriaged = "report_untriaged"  # 群众举报未分拣
    export_ready = "export_ready"  # 导出文件已生成


NOTIFICATION_KIND_LABELS: dict[str, str] = {
    NotificationKind.hazard_deadline: "隐患整改期限提醒",
    NotificationKind.hazard_escalation: "重大隐患逾期督办建议",
    NotificationKind.certificate_expiry: "特种作业操作证到期预警",
    NotificationKind.principal_check_due: "主要负责人带队检查提醒",
    NotificationKind.drill_due: "应急演练提醒",
    NotificationKind.report_untriaged: "群众举报待分拣提醒",
    NotificationKind.export_ready: "导出完成",
}


class ReminderSent(Base):
    """One stage of one reminder, sent at most once: the unique key is what keeps a re-run,
    a second worker or a restarted scan from sending it again."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("object_type", "object_id", "deadline", "stage"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[uuid.UUID] = mapped_column()
    deadline: Mapped[date] = mapped_column(Date)
    stage: Mapped[str] = mapped_column(String(16))
    scan_day: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notification(IdMixin, Base):
    """An in-app message to one account. `unread` (not "is_read") so that one descending
    keyset order — unread, created_at, id — lists unread first and newest first."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_inbox", "user_id", "unread", "created_at", "id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[uuid.UUID] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    stage: Mapped[str | None] = mapped_column(String(16))
    unread: Mapped[bool] = mapped_column(default=True)
    read_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExportStatus(StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"


class ExportJob(IdMixin, Base):
    """A large export rendered by a background job; its file expires (`expires_at`)."""

    __tablename__ = "exports"
    __table_args__ = (Index("ix_exports_requested_by", "requested_by", "id"),)

    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    format: Mapped[str] = mapped_column(String(8))
    filters: Mapped[dict[str, object]] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(16), default=ExportStatus.pending)
    file_key: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(Integer)
    rows: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    expires_at: Mapped[datetime | None] = mapped_column()
