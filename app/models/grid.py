"""Grids (网格): named areas that grid staff are assigned to."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, IdMixin, TimestampMixin


class Grid(IdMixin, TimestampMixin, Base):
    __tablename__ = "grids"

    name: Mapped[str] = mapped_column(String(100), unique=True)
