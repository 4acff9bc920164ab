"""Accounts, their grid assignments, and login sessions with rotating refresh tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin, utcnow


class Role(StrEnum):
    street_office = "street_office"  # 街道安委办
    enterprise_head = "enterprise_head"  # 企业主要负责人 / 安全管理人员
    grid_staff = "grid_staff"  # 网格员
    dashboard = "dashboard"  # 看板 / 集成客户端


ROLE_LABELS = {
    Role.street_office: "街道安委办",
    Role.enterprise_head: "企业主要负责人",
    Role.grid_staff: "网格员",
    Role.dashboard: "数据看板",
}


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(String(32))
    display_name: Mapped[str | None] = mapped_column(String(100))
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class UserGrid(Base):
    """Grid assignment of a grid-staff account; read on every request so changes apply at once."""

    __tablename__ = "user_grids"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    grid_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grids.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class AuthSession(IdMixin, Base):
    """One login: the family of refresh tokens rotated from it; access tokens carry its id."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()


class RefreshToken(IdMixin, Base):
    __tablename__ = "refresh_tokens"
    __table_args__ = (Index("ix_refresh_tokens_session", "session_id"),)

    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE")
    )
    # Only a hash is stored: a leaked table does not leak usable tokens.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
