"""Statistics payloads (brief §7). Aggregates only: no person's name, phone or ID number."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from app.schemas.common import Schema


class GroupCounts(Schema):
    enterprises: int
    hazards: int
    hazards_open: int
    major_open: int
    overdue: int
    closed: int


class GridCounts(GroupCounts):
    grid_id: uuid.UUID
    grid_name: str


class SectorCounts(GroupCounts):
    sector: str


class Overview(Schema):
    as_of: date = Field(description="统计日期（上海日历）")
    enterprises: int
    hazards_open: int = Field(description="未销号且未作废的隐患")
    major_open: int
    overdue: int = Field(description="已登记或整改中且超过整改期限")
    closed: int
    closed_this_year: int
    by_status: dict[str, int]
    by_level: dict[str, int]
    by_source: dict[str, int]
    by_category: dict[str, int]
    median_days_to_close: dict[str, float | None] = Field(
        description="按等级，发现至销号天数中位数"
    )
    by_grid: list[GridCounts]
    by_sector: list[SectorCounts]


class SeriesItem(Schema):
    key: str
    label: str
    found: int
    major: int
    open: int
    closed: int
    overdue: int


class HazardSeries(Schema):
    group_by: str
    from_: date = Field(alias="from")
    to: date
    items: list[SeriesItem]

    model_config = {"populate_by_name": True, "from_attributes": True}


class Target(Schema):
    code: str
    title: str
    citation: str = Field(description="方案章节或条款")
    target_value: float | int
    actual: float | int
    unit: str
    met: bool
    due: date
    detail: str
    baseline: int | None = None
    done: int | None = None
    total: int | None = None
    object_ids: list[uuid.UUID] | None = Field(
        default=None, description="未达标的对象（如尚未警示约谈或上报的事故 id）"
    )


class Targets(Schema):
    year: int
    evaluated_on: date
    enterprises: int
    targets: list[Target]


class RankingItem(Schema):
    rank: int
    enterprise_id: uuid.UUID
    enterprise_name: str
    grid_id: uuid.UUID
    sector: str
    unmet_count: int
    unmet_codes: list[str]
    overdue_hazards: int
    major_overdue: int
    major_open: int


class Ranking(Schema):
    year: int
    evaluated_on: date
    items: list[RankingItem]
    next_cursor: str | None = None
