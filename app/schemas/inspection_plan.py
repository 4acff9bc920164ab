"""Inspection plans, their items, the 重点检查 list and 双随机 draws (plan §三(七)14)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import Field, model_validator

from app.models.inspection_plan import KeyLevel
from app.schemas.common import InputSchema, LongText, Name, ParamStr, Schema, ShortText

Year = Annotated[int, Field(ge=2000, le=2100)]
Seed = Annotated[ParamStr, Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:\-]+$")]
Witness = Annotated[Name, Field(max_length=100)]


class PlanItemIn(InputSchema):
    name: Name = Field(description="检查事项")
    legal_basis: LongText = Field(min_length=1, description="检查依据")
    method: ShortText = Field(min_length=1, description="检查方式，如 现场检查、双随机抽查")
    frequency: ShortText = Field(min_length=1, description="检查频次，如 每年1次")
    yearly_cap: int | None = Field(
        default=None, ge=1, le=366, description="同一企业每年因该事项接受检查的上限（次）"
    )


class PlanItemRead(PlanItemIn):
    id: uuid.UUID
    plan_id: uuid.UUID

    model_config = {"from_attributes": True, "extra": "ignore"}


class PlanCreate(InputSchema):
    id: uuid.UUID | None = None
    year: Year
    jurisdiction: Name = Field(default="友谊路街道", description="辖区")
    title: Name
    note: LongText | None = None
    items: list[PlanItemIn] = Field(default_factory=list, max_length=100)


class PlanRead(Schema):
    id: uuid.UUID
    year: int
    jurisdiction: str
    title: str
    note: str | None
    items: list[PlanItemRead]
    created_at: datetime


class KeyListEntryIn(InputSchema):
    enterprise_id: uuid.UUID
    level: KeyLevel = Field(description="district 区级重点 / street 街道重点")


class KeyListPut(InputSchema):
    entries: list[KeyListEntryIn] = Field(max_length=5000)


class KeyListRow(Schema):
    enterprise_id: uuid.UUID
    enterprise_name: str
    level: KeyLevel
    visited: bool
    last_visit_at: datetime | None


class KeyListCoverage(Schema):
    plan_id: uuid.UUID
    year: int
    as_of: date = Field(description="统计日期（上海日历）")
    total: int
    covered: int
    rate: float = Field(description="覆盖率 %")
    days_left: int = Field(description="距年底剩余天数（含当天）")
    unvisited: list[uuid.UUID] = Field(description="尚未检查的重点企业")
    entries: list[KeyListRow]


class Exclusion(InputSchema):
    enterprise_id: uuid.UUID
    reason: ShortText = Field(min_length=1, description="排除原因，如 本年度已行政处罚")


class DrawCreate(InputSchema):
    id: uuid.UUID | None = None
    plan_item_id: uuid.UUID | None = None
    count: int | None = Field(default=None, ge=1, le=100_000, description="抽取企业数")
    ratio_percent: Decimal | None = Field(
        default=None, gt=0, le=100, max_digits=5, decimal_places=2, description="抽取比例 %"
    )
    seed: Seed | None = Field(default=None, description="随机种子；缺省时由服务器生成")
    exclusions: list[Exclusion] = Field(default_factory=list, max_length=5000)
    inspector_ids: list[uuid.UUID] | None = Field(
        default=None, max_length=1000, description="执法检查人员库；缺省为全部在岗街道和网格人员"
    )
    inspectors_per_enterprise: int = Field(default=2, ge=2, le=10)
    witnesses: list[Witness] = Field(default_factory=list, max_length=20, description="见证人")

    @model_validator(mode="after")
    def _count_or_ratio(self) -> DrawCreate:
        if (self.count is None) == (self.ratio_percent is None):
            raise ValueError("count 与 ratio_percent 须且只须提供一项")
        return self


class DrawPair(Schema):
    enterprise_id: uuid.UUID
    inspector_ids: list[uuid.UUID]


class PoolEntry(Schema):
    id: uuid.UUID
    grid_id: uuid.UUID


class InspectorEntry(Schema):
    id: uuid.UUID
    grid_ids: list[uuid.UUID]


class ExclusionRead(Schema):
    enterprise_id: uuid.UUID
    reason: str


class DrawRead(Schema):
    id: uuid.UUID
    plan_id: uuid.UUID
    plan_item_id: uuid.UUID | None
    algorithm: str = Field(description="抽取算法名称（见 app/rules/draws.py）")
    seed: str
    count: int | None
    ratio_percent: Decimal | None
    drawn_count: int
    inspectors_per_enterprise: int
    avoid_own_grid: bool
    object_pool: list[PoolEntry] = Field(description="抽取对象库快照（已排除重点企业和排除项）")
    exclusions: list[ExclusionRead]
    inspector_pool: list[InspectorEntry] = Field(description="执法检查人员库快照")
    result: list[DrawPair] = Field(description="抽中企业及配对的检查人员，按抽取顺序")
    witnesses: list[str]
    status: str = Field(description="published：已公布，不可更改")
    published_at: datetime | None
    created_at: datetime


class DrawVerify(Schema):
    draw_id: uuid.UUID
    algorithm: str
    matches: bool = Field(description="按存档快照和种子重新计算的结果与存档结果一致")
    recomputed: list[DrawPair]
