"""The change feed page, with each entry's current object on `include=object` (issue 12)."""

from __future__ import annotations

from pydantic import Field

from app.schemas.common import Schema
from app.schemas.enterprise import EnterpriseRead
from app.schemas.hazard import ChangeRead, HazardRead
from app.schemas.hazard_overview import HazardOverview
from app.schemas.inspection import InspectionRead


class ChangeWithObject(ChangeRead):
    object: HazardRead | HazardOverview | EnterpriseRead | InspectionRead | None = Field(
        default=None,
        description="include=object 时：对象的当前内容（已移除或调用方无权读取时为 null）",
    )


class ChangeFeed(Schema):
    items: list[ChangeWithObject]
    next_cursor: str = Field(description="下次请求的 since；从不为 null")
    has_more: bool
