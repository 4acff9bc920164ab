"""Uploaded photos: the row describes a sanitised blob stored by content hash (app/core/storage)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, utcnow


class StoredPhoto:
    """The columns of a sanitised photo blob, alike for staff uploads and the anonymous ones
    of public reports (`PublicUpload`): both are written by `app/services/uploads.py`."""

    # Content address of the sanitised blob in storage (app/core/storage.py).
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)


class Upload(IdMixin, StoredPhoto, Base):
    """One uploaded photo. `enterprise_id` is set when it is first attached to an object, and
    from then on it may only be attached to objects of that enterprise."""

    __tablename__ = "uploads"

    # Null for anonymous uploads from the mini-program (issue 5).
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    enterprise_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("enterprises.id", ondelete="RESTRICT"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
