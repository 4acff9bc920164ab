"""The checklist catalogue (《工贸企业重大事故隐患判定标准》) as the API shows it."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import Field

from app.schemas.common import Schema


class StandardRead(Schema):
    version: str = Field(description="版本，例如 2023")
    title: str
    instrument: str = Field(description="发布文号，例如 应急管理部令第10号")
    effective: date = Field(description="施行日期")
    is_current: bool = Field(description="新的检查与判定使用的版本")


class StandardItemRead(Schema):
    version: str
    code: str = Field(description='条目编号 "<条>.<项>"，例如 3.2 = 第三条第（二）项')
    article: int
    item: int
    article_label: str
    group: str = Field(description="general 管理类 | sector 行业类 | special 专项类")
    sector: str | None
    sub_sector: str | None
    rule_kind: str = Field(description="适用条件：all 全部企业 | sector 行业 | feature 风险特征")
    rule_value: str | None
    text: str = Field(description="条文原文")
    summary_en: str
    text_verified: str = Field(description="yes 已核对公开原文 | partial | no")
    source: str
    scope_note: str | None
    rule_hint: str | None


class ChecklistItem(Schema):
    code: str
    article: int
    sector: str | None
    text: str
    applies_because: str = Field(
        description='适用原因："general"、"sector:<行业>" 或 "feature:<风险特征>"'
    )


class ChecklistCounts(Schema):
    general: int = Field(description="管理类（第三条）")
    sector: int = Field(description="行业类")
    feature: int = Field(description="因风险特征适用（含 3.3 金属冶炼）")
    total: int


class Checklist(Schema):
    standard_version: str
    enterprise_id: uuid.UUID
    items: list[ChecklistItem]
    counts: ChecklistCounts
