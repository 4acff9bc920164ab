"""晾晒通报 bulletins (plan §四(一))."""

from __future__ import annotations

import uuid
from calendar import monthrange
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, model_validator

from app.schemas.common import InputSchema, ParamStr, Schema

Day = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class BulletinCreate(InputSchema):
    month: ParamStr | None = Field(
        default=None, pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$", description="月份 YYYY-MM"
    )
    start: Day | None = Field(default=None, description="或：自定义期间起始日（上海日历）")
    end: Day | None = None

    @model_validator(mode="after")
    def _month_or_period(self) -> BulletinCreate:
        period = self.start is not None and self.end is not None
        if (self.month is None) == (not period) or (self.start is None) != (self.end is None):
            raise ValueError("须且只须提供 month，或同时提供 start 与 end")
        if period and self.end is not None and self.start is not None and self.end < self.start:
            raise ValueError("end 不能早于 start")
        return self

    def period(self) -> tuple[date, date]:
        """The Shanghai dates the bulletin covers (a month: its first to its last day)."""
        if self.start is not None and self.end is not None:
            return self.start, self.end
        year, month = (int(x) for x in str(self.month).split("-"))
        return date(year, month, 1), date(year, month, monthrange(year, month)[1])


class BulletinRead(Schema):
    id: uuid.UUID
    label: str
    period_start: date
    period_end: date
    summary: dict[str, Any] = Field(
        description="看板摘要：合计、各网格、目标、排名、重点任务（不含个人信息）"
    )
    created_at: datetime
    updated_at: datetime
