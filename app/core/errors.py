"""RFC 9457 problem details: one error base for the whole app, and the problem body.

Services raise `AppError` subclasses (they never know about HTTP beyond the status they
carry); `problem_response` writes `application/problem+json`, in Chinese unless the client
asks for English. The handlers that turn every error into one live in `error_handlers.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://zhiben.example/problems/"


class AppError(Exception):
    """Base of every error a client may see. Subclasses set status, code and titles."""

    status: int = 400
    code: str = "bad_request"
    title_zh: str = "请求有误"
    title_en: str = "Bad request"

    def __init__(
        self,
        detail_zh: str | None = None,
        detail_en: str | None = None,
        *,
        code: str | None = None,
        extra: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.detail_zh = detail_zh or self.title_zh
        self.detail_en = detail_en or detail_zh or self.title_en
        if code is not None:
            self.code = code
        self.extra: dict[str, Any] = dict(extra or {})
        self.headers: dict[str, str] = dict(headers or {})
        super().__init__(self.detail_en)


class BadRequest(AppError):
    pass


class Unauthorized(AppError):
    status, code, title_zh, title_en = 401, "unauthorized", "未认证或凭据无效", "Not authenticated"

    def __init__(self, detail_zh: str | None = None, detail_en: str | None = None, **kw: Any):
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail_zh, detail_en, **kw)


class Forbidden(AppError):
    status, code, title_zh, title_en = 403, "forbidden", "无权执行此操作", "Forbidden"


class NotFound(AppError):
    status, code, title_zh, title_en = 404, "not_found", "对象不存在", "Not found"


class Conflict(AppError):
    status, code, title_zh, title_en = 409, "conflict", "与当前状态冲突", "Conflict"


class PreconditionFailed(AppError):
    status, code, title_zh, title_en = (
        412,
        "precondition_failed",
        "对象已被修改，请刷新后重试",
        "Precondition failed",
    )


class PayloadTooLarge(AppError):
    status, code, title_zh, title_en = 413, "payload_too_large", "请求体过大", "Payload too large"


class UnsupportedMediaType(AppError):
    status, code, title_zh, title_en = (
        415,
        "unsupported_media_type",
        "不支持的文件类型",
        "Unsupported media type",
    )


class Unprocessable(AppError):
    """422 for a rule the schema cannot express (an item that does not apply, a bad USCC)."""

    status, code, title_zh, title_en = 422, "validation_error", "输入不符合要求", "Invalid input"

    def __init__(
        self,
        detail_zh: str | None = None,
        detail_en: str | None = None,
        *,
        field: Sequence[str | int] | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(detail_zh, detail_en, **kw)
        if field is not None:
            # `msg_en` is swapped in for English callers when the answer is rendered.
            entry = {"loc": list(field), "msg": self.detail_zh, "type": self.code}
            self.extra.setdefault("errors", [{**entry, "msg_en": self.detail_en}])


class TooManyRequests(AppError):
    status, code, title_zh, title_en = 429, "rate_limited", "请求过于频繁", "Too many requests"

    def __init__(
        self,
        retry_after: int,
        detail_zh: str | None = None,
        detail_en: str | None = None,
        **kw: Any,
    ) -> None:
        seconds = max(1, int(retry_after))
        kw.setdefault("headers", {"Retry-After": str(seconds)})
        # The body says how long to wait too: not every client can read response headers.
        kw["extra"] = {"retry_after": seconds, **(kw.get("extra") or {})}
        super().__init__(detail_zh, detail_en, **kw)


class ServiceUnavailable(AppError):
    status, code, title_zh, title_en = (
        503,
        "service_unavailable",
        "服务暂时不可用，请稍后重试",
        "Service unavailable",
    )

    def __init__(self, detail_zh: str | None = None, detail_en: str | None = None, **kw: Any):
        kw.setdefault("headers", {"Retry-After": "5"})
        kw["extra"] = {"retry_after": 5, **(kw.get("extra") or {})}
        super().__init__(detail_zh, detail_en, **kw)


def wants_english(request: Request) -> bool:
    lang = request.headers.get("accept-language", "")
    first = lang.split(",")[0].strip().lower()
    return first.startswith("en")


def problem_response(
    request: Request,
    *,
    status: int,
    code: str,
    title: tuple[str, str],
    detail: tuple[str, str],
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    en = wants_english(request)
    body: dict[str, Any] = {
        "type": TYPE_BASE + code,
        "title": title[1] if en else title[0],
        "status": status,
        "detail": detail[1] if en else detail[0],
        "code": code,
        "instance": request.url.path,
    }
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    body.update(extra or {})
    if status == 422:
        # The contract's ValidationProblem: every 422 lists its fields, possibly none.
        body.setdefault("errors", [])
    if "errors" in body:
        body["errors"] = [_localized(e, en) for e in body["errors"]]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


STATUS_TEXT: dict[int, tuple[str, str, str]] = {
    400: ("bad_request", "请求有误", "Bad request"),
    401: ("unauthorized", "未认证或凭据无效", "Not authenticated"),
    403: ("forbidden", "无权执行此操作", "Forbidden"),
    404: ("not_found", "对象不存在", "Not found"),
    405: ("method_not_allowed", "不支持该请求方法", "Method not allowed"),
    406: ("not_acceptable", "无法提供所需格式", "Not acceptable"),
    413: ("payload_too_large", "请求体过大", "Payload too large"),
    415: ("unsupported_media_type", "不支持的内容类型", "Unsupported media type"),
    422: ("validation_error", "输入不符合要求", "Invalid input"),
    429: ("rate_limited", "请求过于频繁", "Too many requests"),
}


def _localized(error: Mapping[str, Any], en: bool) -> dict[str, Any]:
    out = {k: v for k, v in error.items() if k != "msg_en"}
    if en and error.get("msg_en"):
        out["msg"] = error["msg_en"]
    return out


def app_error_response(request: Request, exc: AppError) -> JSONResponse:
    """The problem response for `exc`, for a route that must answer an error *and* commit
    (e.g. a revocation that has to stick although the caller gets a 401)."""
    return problem_response(
        request,
        status=exc.status,
        code=exc.code,
        title=(exc.title_zh, exc.title_en),
        detail=(exc.detail_zh, exc.detail_en),
        extra=exc.extra,
        headers=exc.headers,
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for OpenAPI so every error a route gives is declared."""
    from app.schemas.problem import Problem

    return {
        s: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": STATUS_TEXT.get(
                s,
                (
                    "",
                    "",
                    {409: "Conflict", 412: "Precondition failed", 503: "Unavailable"}.get(
                        s, "Error"
                    ),
                ),
            )[2],
        }
        for s in statuses
    }
