"""The exception handlers: every error — ours, validation, Starlette's, and anything
unexpected — answered as RFC 9457 `application/problem+json` (bodies in `errors.py`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from app.core import messages
from app.core.errors import (
    STATUS_TEXT,
    AppError,
    ServiceUnavailable,
    app_error_response,
    problem_response,
    wants_english,
)

log = logging.getLogger("zhiben.errors")


# FastAPI's detail for a body it cannot decode (fastapi/routing.py, request body parsing).
_UNPARSABLE_BODY = "There was an error parsing the body"


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
        return http_error_response(request, exc)

    from sqlalchemy.exc import SQLAlchemyError

    for cls in (SQLAlchemyError, OSError, TimeoutError):
        app.add_exception_handler(cls, _infrastructure)

    @app.exception_handler(Exception)
    async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
        return await _infrastructure(request, exc)


def http_error_response(request: Request, exc: StarletteHTTPException) -> Response:
    """Starlette's and the router's own errors (no route, wrong method, undecodable body) in
    our problem shape and the caller's language."""
    if exc.status_code == 405:
        return _method_not_allowed(request)
    if exc.status_code == 400 and exc.detail == _UNPARSABLE_BODY:
        return _undecodable_body(request)
    code, zh, en = STATUS_TEXT.get(exc.status_code, ("http_error", "请求失败", "Error"))
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


def _undecodable_body(request: Request) -> JSONResponse:
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
    code, zh, en = STATUS_TEXT[405]
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
