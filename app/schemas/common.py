"""Schema bases and shared field types."""

from __future__ import annotations

import uuid
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

T = TypeVar("T")


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL bytes in text; catching them here makes it a 422, not a 500.
    if "\x00" in value:
        raise ValueError("不允许包含空字符 (NUL)")
    return value


def _strip(value: str) -> str:
    return value.strip()


Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[
    str, AfterValidator(_no_nul), AfterValidator(_strip), Field(min_length=1, max_length=200)
]
ShortText = Annotated[str, AfterValidator(_no_nul), Field(max_length=300)]
LongText = Annotated[str, AfterValidator(_no_nul), Field(max_length=4000)]
Latitude = Annotated[float, Field(ge=-90, le=90, description="纬度 (GCJ-02)")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="经度 (GCJ-02)")]


class Schema(BaseModel):
    """Output base: read from ORM attributes."""

    model_config = ConfigDict(from_attributes=True)


class InputSchema(BaseModel):
    """Input base: unknown fields are refused (mass assignment, OWASP API3)."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None, description="下一页游标；为 null 表示没有更多")


class IdOnly(Schema):
    id: uuid.UUID
