"""`Idempotency-Key` on every POST (brief §4): a replay returns the first answer.

The replay is decided by a *dependency* that the route class appends after the route's own
dependencies and that itself depends on the caller's principal: it runs only once the caller
is authenticated (a forged or unsigned token is a 401 before any record is looked at, so a
used key and an unused one answer alike), and records are keyed by the *verified* principal.

The record of a 2xx answer is written in the *same transaction* as the change it answers
(the request's session commits both, see `app.dependencies.get_session`), so a crash can never
leave a change without its record, nor a record without its change. Two identical requests
racing each other: the second one's insert of the record collides on the primary key, its
whole transaction rolls back, and it is answered 409 — retried, it gets the replay.

Records expire after `idempotency_ttl_hours` (an expired one is as good as absent);
`zhiben purge-idempotency` deletes them. An answer that reveals a secret once (a webhook's
signing secret) is never stored: its record is a marker, and a replay answers 409.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from fastapi import Depends, Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, Unprocessable
from app.models.audit import IdempotencyRecord
from app.models.base import utcnow

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200
EXEMPT_PREFIXES = ("/api/v1/auth/",)
# Stored instead of an answer that carried a secret meant to be shown once.
WITHHELD_TYPE = "application/vnd.zhiben.withheld"
REVEALS_SECRET_ATTR = "__zhiben_reveals_secret__"

Principal = Callable[..., Awaitable[str]]


@dataclass(frozen=True)
class Claim:
    actor: str
    key: str
    method: str
    path: str
    body_hash: str
    reveals_secret: bool


class IdempotentReplay(Exception):  # noqa: N818 — a control-flow signal, not an error
    """Raised by the dependency to answer with a stored response instead of the endpoint."""

    def __init__(self, response: Response) -> None:
        super().__init__("idempotent replay")
        self.response = response


def reveals_secret(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an endpoint whose 2xx answer shows a secret once: never stored for replay."""
    setattr(endpoint, REVEALS_SECRET_ATTR, True)
    return endpoint


def expiry_cutoff(ttl_hours: int, now: datetime | None = None) -> datetime:
    return (now or utcnow()) - timedelta(hours=ttl_hours)


def _parse_key(request: Request) -> str | None:
    raw = request.headers.get(HEADER)
    if raw is None or request.method != "POST":
        return None
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise Unprocessable(
            "Idempotency-Key 格式无效",
            "Invalid Idempotency-Key",
            code="invalid_idempotency_key",
            field=["header", "Idempotency-Key"],
        )
    return key


parse_key = _parse_key  # also read by /auth/refresh, which keys its records by login family


def request_digest(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


async def _lookup(request: Request, actor: str, key: str) -> IdempotencyRecord | None:
    """The live record of (actor, key); an expired one is deleted so the key is free again."""
    cutoff = expiry_cutoff(request.app.state.settings.idempotency_ttl_hours)
    async with request.app.state.sessionmaker() as session:
        where = (IdempotencyRecord.actor == actor, IdempotencyRecord.key == key)
        record: IdempotencyRecord | None = await session.scalar(
            select(IdempotencyRecord).where(*where)
        )
        if record is not None and record.created_at < cutoff:
            await session.execute(delete(IdempotencyRecord).where(*where))
            await session.commit()
            return None
        return record


def _replay(record: IdempotencyRecord) -> Response:
    if record.content_type == WITHHELD_TYPE:
        raise Conflict(
            "该请求已处理；其应答含只显示一次的密钥，不能重放",
            "Already processed; its answer showed a secret once and is not replayed",
            code="idempotency_secret_withheld",
        )
    return Response(
        content=record.response_body.encode(),
        status_code=record.status_code,
        media_type=record.content_type,
        headers={"Idempotent-Replayed": "true"},
    )


@functools.cache
def idempotency_dependency(principal: Principal, *, secret: bool) -> Callable[..., Any]:
    """The dependency for routes whose callers are named by `principal` (a dependency that
    authenticates and returns a stable key, e.g. "user:<id>"). One function per (principal,
    secret) so a route that is re-registered (include_router) is not given it twice."""

    # A default rather than `Annotated`: postponed annotations cannot see the closure's name.
    async def idempotency(request: Request, actor: str = Depends(principal)) -> None:  # noqa: B008
        key = _parse_key(request)
        if key is None:
            return
        body = await request.body()
        digest = request_digest(request.method, request.url.path, body)
        stored = await _lookup(request, actor, key)
        if stored is not None:
            if stored.body_hash != digest:
                raise Unprocessable(
                    "该幂等键已用于另一个请求",
                    "Idempotency-Key reused with another request",
                    code="idempotency_key_reused",
                    field=["header", "Idempotency-Key"],
                )
            raise IdempotentReplay(_replay(stored))
        path = request.url.path
        request.state.idempotency_claim = Claim(actor, key, "POST", path, digest, secret)

    return idempotency


async def claim_in_session(request: Request, session: AsyncSession) -> None:
    """Called by the session dependency just before commit: store the 2xx answer."""
    claim: Claim = request.state.idempotency_claim
    response: Response | None = getattr(request.state, "idempotency_response", None)
    if response is None or not 200 <= response.status_code < 300:
        return
    withheld = claim.reveals_secret
    session.add(
        IdempotencyRecord(
            actor=claim.actor,
            key=claim.key,
            method=claim.method,
            path=claim.path,
            body_hash=claim.body_hash,
            status_code=response.status_code,
            response_body="" if withheld else bytes(response.body).decode("utf-8", "replace"),
            content_type=WITHHELD_TYPE
            if withheld
            else response.headers.get("content-type", "application/json"),
        )
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "相同幂等键的请求正在处理或已处理，请稍后重试",
            "A request with this Idempotency-Key is being processed; retry shortly",
            code="idempotency_in_progress",
        ) from exc


REPLAY_DESCRIPTION = "已存在（以相同 id 重复提交）：返回已保存的对象 / Already created with this id"


def _replayed_create_response(endpoint: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    """Declare the 200 a create answers when its client-chosen `id` is re-sent (brief §4), so
    the OpenAPI document lists every status the route really gives."""
    responses = dict(kwargs.get("responses") or {})
    methods = {m.upper() for m in kwargs.get("methods") or ()}
    if kwargs.get("status_code") != 201 or "POST" not in methods:
        return
    if 200 in responses or "200" in responses:
        return
    model = kwargs.get("response_model")
    if model is None or isinstance(model, DefaultPlaceholder):
        model = get_typed_return_annotation(endpoint)
    entry: dict[str, Any] = {"description": REPLAY_DESCRIPTION}
    if isinstance(model, type) and issubclass(model, BaseModel):
        entry["model"] = model
    responses[200] = entry
    kwargs["responses"] = responses


def _with_idempotency(
    principal: Principal, endpoint: Callable[..., Any], kwargs: dict[str, Any]
) -> None:
    dep = idempotency_dependency(principal, secret=bool(getattr(endpoint, REVEALS_SECRET_ATTR, 0)))
    current = list(kwargs.get("dependencies") or [])
    if not any(isinstance(d, DependsParam) and d.dependency is dep for d in current):
        # Last, after the route's own auth/permission dependencies.
        kwargs["dependencies"] = [*current, Depends(dep)]


class IdempotentRoute(APIRoute):
    """Every POST route gets the idempotency dependency for its kind of caller (`principal`,
    set by subclasses: staff routes authenticate, public ones key by client address)."""

    principal: ClassVar[Principal | None] = None

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        _replayed_create_response(endpoint, kwargs)
        methods = {m.upper() for m in kwargs.get("methods") or ()}
        if "POST" in methods and not path.startswith(EXEMPT_PREFIXES):
            if self.principal is None:
                raise TypeError(f"POST {path}: route class without an idempotency principal")
            _with_idempotency(type(self).principal, endpoint, kwargs)  # type: ignore[arg-type]
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            if request.method == "POST" and HEADER in request.headers:
                # Cache the raw body for the digest before a form parser consumes the stream.
                await request.body()
            try:
                response = await original(request)
            except IdempotentReplay as replay:
                return replay.response
            # Handed to the session dependency, which stores it before the commit.
            request.state.idempotency_response = response
            return response

        return handler
