"""《工贸企业重大事故隐患判定标准》 as versioned data in the database (brief §2).

Each revision of the standard is one `standards` row with its items beside it; a later
revision is loaded as a new version and older determinations keep pointing at theirs. The
rows are written by the migrations from the packaged YAML and never changed by the API.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class Standard(Base):
    __tablename__ = "standards"

    version: Mapped[str] = mapped_column(String(16), primary_key=True)  # "2023"
    title: Mapped[str] = mapped_column(String(200))
    instrument: Mapped[str] = mapped_column(String(200))  # 应急管理部令第10号
    effective: Mapped[date] = mapped_column(Date)
    # The version new inspections and determinations use; exactly one row has it.
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)


class StandardItemRecord(Base):
    """One item (`"<article>.<item>"`) with its applicability rule stored as data."""

    __tablename__ = "standard_items"
    __table_args__ = (Index("ix_standard_items_version_sort", "version", "sort_key", "code"),)

    version: Mapped[str] = mapped_column(
        ForeignKey("standards.version", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    article: Mapped[int] = mapped_column(Integer)
    item: Mapped[int] = mapped_column(Integer)
    # article * 1000 + item: numeric code order (3.2 < 3.10 < 4.1) as one indexable column.
    sort_key: Mapped[int] = mapped_column(Integer)
    article_label: Mapped[str] = mapped_column(String(32))
    group: Mapped[str] = mapped_column(String(16))  # general | sector | special
    sector: Mapped[str | None] = mapped_column(String(32))
    sub_sector: Mapped[str | None] = mapped_column(String(100))
    rule_kind: Mapped[str] = mapped_column(String(16))  # all | sector | feature
    rule_value: Mapped[str | None] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    summary_en: Mapped[str] = mapped_column(Text)
    text_verified: Mapped[str] = mapped_column(String(16))  # yes | partial | no
    source: Mapped[str] = mapped_column(Text)
    scope_note: Mapped[str | None] = mapped_column(Text)
    rule_hint: Mapped[str | None] = mapped_column(Text)


def sort_key(article: int, item: int) -> int:
    return article * 1000 + item
