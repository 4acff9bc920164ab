"""Compliance of one enterprise with the plan's rules (brief §7)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import Field

from app.schemas.common import Schema


class ComplianceCheck(Schema):
    code: str = Field(description="规则代码，如 evacuation_drill")
    label: str = Field(description="规则名称")
    met: bool = Field(description="本期是否达标；规则尚未满足前为 false")
    status: Literal["met", "unmet", "info"] = Field(
        description="met 达标；unmet 未达标；info 仅作提示（方案对该企业无此项要求，不计为未达标）"
    )
    detail: str = Field(description="说明")
    basis: str = Field(description="依据（方案章节或法规条款）")


class ComplianceRead(Schema):
    enterprise_id: uuid.UUID
    year: int
    evaluated_on: date = Field(description="评价日期（上海日历）：当年为今日，往年为12月31日")
    checks: list[ComplianceCheck]
