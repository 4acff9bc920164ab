"""RFC 9457 problem details: one error base for the whole app, and the handlers.

Services raise `AppError` subclasses (they never know about HTTP beyond the status they
carry); the handlers here turn every error — ours, validation, Starlette's, and anything
unexpected — into `application/problem+json`, in Chinese unless the client asks for English.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from app.core import messages

log = logging.getLogger("zhiben.errors")

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


_STATUS_TEXT: dict[int, tuple[str, str, str]] = {
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


# FastAPI's detail for a body it cannot decode (fastapi/routing.py, request body parsing).
_UNPARSABLE_BODY = "There was an error parsing the body"


def _localized(error: Mapping[str, Any], en: bool) -> dict[str, Any]:
    out = {k: v for k, v in error.items() if k != "msg_en"}
    if en and error.get("msg_en"):
        out["msg"] = error["msg_en"]
    return out


# A body of 100,000 unknown keys gives 100,000 errors: the answer lists the first few only,
# each part bounded, so a small request can never buy a large answer (issue 10, finding 5).
MAX_FIELD_ERRORS = 50
_MAX_LOC_PART = 64
_MAX_MSG = 200


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean_loc(loc: Sequence[Any]) -> list[str | int]:
    return [p if isinstance(p, int) else _clip(str(p), _MAX_LOC_PART) for p in loc[:8]]


def _validation_errors(exc: RequestValidationError, en: bool) -> list[dict[str, Any]]:
    # Readable messages (app/core/messages.py), then every part clipped; the rejected input
    # itself is never echoed back: it may be a password or a huge body.
    out = []
    for err in messages.field_errors(exc.errors()[:MAX_FIELD_ERRORS], en):
        err["loc"] = _clean_loc(err["loc"])
        err["msg"] = _clip(str(err["msg"]), _MAX_MSG)
        err["type"] = _clip(str(err["type"]), _MAX_LOC_PART)
        out.append(err)
    return out


# Starlette's own texts for these statuses: answered with ours, in the caller's language.
_STARLETTE_DEFAULTS = {"Not Found", "Method Not Allowed", "Unsupported Media Type"}
_NO_ROUTE = ("not_found", "接口路径不存在", "No such API path")  # same stable code


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


def validation_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """422 listing at most `MAX_FIELD_ERRORS` fields (and how many were left out), each
    message in the caller's language with the field's label."""
    en = wants_english(request)
    errors = _validation_errors(exc, en)
    text = messages.summary(errors, en)
    extra: dict[str, Any] = {"errors": errors}
    total = len(exc.errors())
    if total > len(errors):
        text += " …"
        extra["errors_omitted"] = total - len(errors)
    return problem_response(
        request,
        status=422,
        code="validation_error",
        title=("输入不符合要求", "Invalid input"),
        detail=(text, text),
        extra=extra,
    )


async def _infrastructure(request: Request, exc: Exception) -> JSONResponse:
    """Database/network failures: 503 with Retry-After when the database cannot serve
    the request now, else the generic 500. Registered per class so Starlette does not
    re-raise them. A serialization failure or deadlock also marks the request, so
    `TransactionRetryMiddleware` runs it once more instead of sending this answer."""
    from app.core.db import is_database_unavailable, is_stale_connection, is_transaction_conflict

    if is_stale_connection(exc):  # nothing was sent (no pre-ping, issue 11): run it again
        request.state.transaction_conflict = True
    if is_transaction_conflict(exc):
        request.state.transaction_conflict = True
        log.warning("transaction conflict: %s", type(exc).__name__)
        err = ServiceUnavailable(
            "数据并发冲突，请稍后重试",
            "Concurrent update conflict; retry shortly",
            code="transaction_conflict",
            headers={"Retry-After": "1"},
        )
        return app_error_response(request, err)
    if is_database_unavailable(exc):
        log.warning("database unavailable: %s", type(exc).__name__)
        err = ServiceUnavailable("数据库暂时不可用，请稍后重试", "Database unavailable")
        return app_error_response(request, err)
    return _internal(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> JSONResponse:
        return app_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return validation_response(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return _method_not_allowed(request)
        if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
            # FastAPI answers 422 for malformed JSON but 400 for a body that is not even UTF-8;
            # both are the same client error, answered (and declared in OpenAPI) as 422.
            return problem_response(
                request,
                status=422,
                code="validation_error",
                title=("输入不符合要求", "Invalid input"),
                detail=("请求体不是有效的 JSON", "The body is not valid JSON"),
                extra={
                    "errors": [
                        {
                            "loc": ["body"],
                            "msg": "请求体：不是有效的 JSON",
                            "msg_en": "body: invalid JSON",
                            "type": "json_invalid",
                        }
                    ]
                },
            )
        code, zh, en = _STATUS_TEXT.get(exc.status_code, ("http_error", "请求失败", "Error"))
        if exc.status_code == 404 and exc.detail == "Not Found":
            code, zh, en = _NO_ROUTE  # the router's 404: no such path, not a missing object
        detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
        if detail in _STARLETTE_DEFAULTS:
            detail = None
        return problem_response(
            request,
            status=exc.status_code,
            code=code,
            title=(zh, en),
            detail=(detail or zh, detail or en),
            headers=getattr(exc, "headers", None),
        )

    from sqlalchemy.exc import SQLAlchemyError

    for cls in (SQLAlchemyError, OSError, TimeoutError):
        app.add_exception_handler(cls, _infrastructure)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        return await _infrastructure(request, exc)


def _methods_by_path(app: Any) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """(path regex, methods) of every route, built once per app."""
    cached: list[tuple[re.Pattern[str], frozenset[str]]] | None = getattr(
        app.state, "methods_by_path", None
    )
    if cached is None:
        cached = []
        for context in iter_route_contexts(app.routes):
            methods = getattr(context.original_route, "methods", None)
            if methods:
                regex, _, _ = compile_path(str(context.path))
                cached.append((regex, frozenset(methods)))
        app.state.methods_by_path = cached
    return cached


def _method_not_allowed(request: Request) -> Response:
    """RFC 9110 §15.5.6: `Allow` lists every method the path has — Starlette names only the
    first matching route's. `OPTIONS` is answered with that list (§9.3.7), not a 405."""
    path = request.scope.get("path", "")
    methods = {"OPTIONS"}
    for regex, route_methods in _methods_by_path(request.app):
        if regex.match(path):
            methods |= route_methods
    allow = ", ".join(sorted(methods))
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    code, zh, en = _STATUS_TEXT[405]
    return problem_response(
        request, status=405, code=code, title=(zh, en), detail=(zh, en), headers={"Allow": allow}
    )


def _internal(request: Request, exc: Exception) -> JSONResponse:
    log.error(
        "unhandled error: %s",
        type(exc).__name__,
        exc_info=exc,
        extra={"request_id": getattr(request.state, "request_id", None)},
    )
    return problem_response(
        request,
        status=500,
        code="internal_error",
        title=("服务器内部错误", "Internal server error"),
        detail=("服务器内部错误，请稍后重试", "Internal server error"),
    )


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for OpenAPI so every error a route gives is declared."""
    from app.schemas.problem import Problem

    return {
        s: {
            "model": Problem,
            "content": {PROBLEM_JSON: {}},
            "description": _STATUS_TEXT.get(
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
