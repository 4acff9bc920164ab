"""RFC 9457 problem document, as declared in OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class FieldError(BaseModel):
    loc: list[str | int] = Field(description="出错字段的机器路径，如 body.responsible_person")
    msg: str = Field(description="按 Accept-Language 给出的说明")
    type: str = Field(description="稳定的错误类型代码")


class Problem(BaseModel):
    """Every error answer (`application/problem+json`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="稳定的错误代码")
    instance: str | None = None
    request_id: str | None = None
    errors: list[FieldError] | None = None
    retry_after: int | None = Field(default=None, description="429/503：建议等待的秒数")
    extra: dict[str, Any] | None = None


class ValidationProblem(Problem):
    """A 422: every bad field in `errors`."""

    errors: list[FieldError]
