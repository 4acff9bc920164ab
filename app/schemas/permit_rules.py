"""The permit rules table as the API shows it (permits.md §8: every value with its citation)."""

from __future__ import annotations

from pydantic import Field

from app.schemas.common import Schema


class PermitRuleValue(Schema):
    key: str = Field(description="规则键，如 validity.hot_work.special")
    label: str = Field(description="中文名称")
    value: float
    unit: str
    citation: str = Field(description="本值的依据")
    default: float = Field(description="GB 30871-2022 等参考默认值")
    default_citation: str
    overridden: bool = Field(description="是否由本辖区规则文件设定")


class PermitRulesRead(Schema):
    version: str = Field(description="规则版本；每张作业票的 rules_version 即其开具时的版本")
    jurisdiction: str
    current: bool = Field(description="是否为新开作业票现行使用的版本")
    values: list[PermitRuleValue]
