"""Schema bases and the shared boundary types every input goes through.

PostgreSQL refuses what SQLite swallows (NUL bytes, integers past int64, timestamps whose
UTC conversion overflows): a value that reaches the database unchecked is a 500 on one and
a 200 on the other. Every route parameter (query, path, header, form) and every body field
therefore uses a type from here, which refuses such values with a 422 naming the field.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    model_validator,
)
from pydantic_core import core_schema

T = TypeVar("T")

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
INT32_MAX = 2**31 - 1
# A sane calendar for this office's records: far from datetime's own edges (year 1 / 9999),
# where converting an offset to UTC overflows.
DATETIME_MIN = datetime(1990, 1, 1, tzinfo=UTC)
DATETIME_MAX = datetime(2100, 1, 1, tzinfo=UTC)
# Wall-clock bounds one day wider: any UTC offset (≤ 24 h) keeps the conversion in range.
_NAIVE_MIN = DATETIME_MIN.replace(tzinfo=None) - timedelta(days=1)
_NAIVE_MAX = DATETIME_MAX.replace(tzinfo=None) + timedelta(days=1)
DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2100, 12, 31)

# C0 controls, DEL and lone surrogates (which PostgreSQL cannot store either). Multi-line
# text may keep tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL bytes in text; other control characters (bar tab and line
    # breaks) only ever come from a broken or hostile client.
    if _CONTROL_MULTILINE.search(value):
        raise ValueError("不允许包含空字符 (NUL)、控制字符或无效的 Unicode 字符")
    return value


def _single_line(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("不允许包含空字符 (NUL)、控制字符或无效的 Unicode 字符")
    return value


def _strip(value: str) -> str:
    return value.strip()


def _datetime_in_range(value: datetime) -> datetime:
    # Compare the wall-clock value first: converting "9999-12-31T23:59:59-12:00" to UTC
    # would itself overflow.
    naive = value.replace(tzinfo=None)
    if not _NAIVE_MIN <= naive <= _NAIVE_MAX:
        raise ValueError("时间须在 1990-01-01 至 2100-01-01 之间")
    utc = value.astimezone(UTC)
    if not DATETIME_MIN <= utc <= DATETIME_MAX:
        raise ValueError("时间须在 1990-01-01 至 2100-01-01 之间")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]
Name = Annotated[
    str, AfterValidator(_no_nul), AfterValidator(_strip), Field(min_length=1, max_length=200)
]
ShortText = Annotated[str, AfterValidator(_no_nul), Field(max_length=300)]
LongText = Annotated[str, AfterValidator(_no_nul), Field(max_length=4000)]
Latitude = Annotated[float, Field(ge=-90, le=90, description="纬度 (GCJ-02)")]
Longitude = Annotated[float, Field(ge=-180, le=180, description="经度 (GCJ-02)")]

# --- parameters (query, path, header, form): one line, no control characters -------------
ParamStr = Annotated[str, AfterValidator(_single_line)]
"""A query/path/header/form string; give it a `max_length` where it is declared."""
SearchText = Annotated[ParamStr, Field(min_length=1, max_length=100)]
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
Int32 = Annotated[int, Field(ge=-(2**31), le=INT32_MAX)]
BoundedDateTime = Annotated[AwareDatetime, AfterValidator(_datetime_in_range)]
"""An aware timestamp between 1990-01-01 and 2100-01-01 (UTC); naive ones are refused."""
BoundedDate = Annotated[date, Field(ge=DATE_MIN, le=DATE_MAX)]


def wire_datetime(value: datetime) -> str:
    """The one wire form of a timestamp (brief: ISO 8601 with offset, stored in UTC):
    UTC with `Z`, microseconds only when not zero — `2026-12-01T09:32:00.470591Z`.

    Also for timestamps written into JSON by hand (audit diffs, webhook bodies). A naive
    value is UTC (the database stores UTC)."""
    utc = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return utc.isoformat().replace("+00:00", "Z")


def _wire_every_datetime(node: Any) -> None:
    """Give each datetime in a core schema the `wire_datetime` serializer (JSON only)."""
    if isinstance(node, dict):
        if node.get("type") == "datetime" and "serialization" not in node:
            node["serialization"] = core_schema.plain_serializer_function_ser_schema(
                wire_datetime, when_used="json"
            )
        for child in node.values():
            _wire_every_datetime(child)
    elif isinstance(node, list):
        for child in node:
            _wire_every_datetime(child)


class Schema(BaseModel):
    """Output base: read from ORM attributes; every datetime field, however declared
    (`datetime`, `datetime | None`, `list[datetime]`), is sent in the one wire form.

    Why here and not a field type: pydantic alone sends an aware UTC value with `Z` but a
    value still in the offset the client sent (an object echoed before it is read back) with
    `+08:00`, and a type would have to be remembered on every field of every schema. The
    hook costs nothing on other fields (tests/contract/test_datetime_wire.py walks them)."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[BaseModel], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        schema = handler(source)
        _wire_every_datetime(schema)
        return schema


# Unknown keys an input object may carry and still get one error per key listed.
MAX_UNKNOWN_KEYS = 50


class InputSchema(BaseModel):
    """Input base: unknown fields are refused (mass assignment, OWASP API3)."""

    model_config = ConfigDict(extra="forbid", str_max_length=100_000)

    @model_validator(mode="before")
    @classmethod
    def _bounded_keys(cls, data: Any) -> Any:
        # Each unknown key costs an error to build and to list: 15,000 of them (well within
        # the body cap) took most of a second of CPU, for anyone, unauthenticated. An object
        # with far more keys than the schema has fields is refused whole, with one error.
        if isinstance(data, dict) and len(data) > len(cls.model_fields) + MAX_UNKNOWN_KEYS:
            raise ValueError(f"字段过多：{len(data)} 个，此对象最多 {len(cls.model_fields)} 个")
        return data


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None, description="下一页游标；为 null 表示没有更多")


class IdOnly(Schema):
    id: uuid.UUID
