"""`Idempotency-Key` on every POST (brief §4): a replay returns the first answer.

The record of a 2xx answer is written in the *same transaction* as the change it answers
(the request's session commits both, see `app.dependencies.get_session`), so a crash can never
leave a change without its record, nor a record without its change. Two identical requests
racing each other: the second one's insert of the record collides on the primary key, its
whole transaction rolls back, and it is answered 409 — retried, it gets the replay.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.datastructures import DefaultPlaceholder
from fastapi.dependencies.utils import get_typed_return_annotation
from fastapi.routing import APIRoute
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clientaddr import client_address
from app.core.errors import Conflict, Unprocessable
from app.core.security import unverified_subject
from app.models.audit import IdempotencyRecord

HEADER = "idempotency-key"
MAX_KEY_LENGTH = 200
_EXEMPT_PREFIXES = ("/api/v1/auth/",)


@dataclass(frozen=True)
class Claim:
    actor: str
    key: str
    method: str
    path: str
    body_hash: str


def _actor_key(request: Request) -> str:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        sub = unverified_subject(auth[7:].strip())
        if sub:
            return f"user:{sub}"[:80]
    # Anonymous callers (the mini-program) are keyed by a keyed hash of their client address:
    # the record sits beside a report's receipt and must not store who sent it (PIPL).
    settings = request.app.state.settings
    addr = client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        settings.trusted_proxies,
    )
    key = settings.resolved_secret_key().encode()
    return "anon:" + hmac.new(key, addr.encode(), hashlib.sha256).hexdigest()[:40]


async def _lookup(request: Request, claim: Claim) -> IdempotencyRecord | None:
    async with request.app.state.sessionmaker() as session:
        record: IdempotencyRecord | None = await session.scalar(
            select(IdempotencyRecord).where(
                IdempotencyRecord.actor == claim.actor, IdempotencyRecord.key == claim.key
            )
        )
        return record


def _replay(record: IdempotencyRecord) -> Response:
    return Response(
        content=record.response_body.encode(),
        status_code=record.status_code,
        media_type=record.content_type,
        headers={"Idempotent-Replayed": "true"},
    )


async def claim_in_session(request: Request, session: AsyncSession) -> None:
    """Called by the session dependency just before commit: store the 2xx answer."""
    claim: Claim = request.state.idempotency_claim
    response: Response | None = getattr(request.state, "idempotency_response", None)
    if response is None or not 200 <= response.status_code < 300:
        return
    body = bytes(response.body).decode("utf-8", "replace")
    session.add(
        IdempotencyRecord(
            actor=claim.actor,
            key=claim.key,
            method=claim.method,
            path=claim.path,
            body_hash=claim.body_hash,
            status_code=response.status_code,
            response_body=body,
            content_type=response.headers.get("content-type", "application/json"),
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


class IdempotentRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        _replayed_create_response(endpoint, kwargs)
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            key = request.headers.get(HEADER)
            if (
                request.method != "POST"
                or key is None
                or request.url.path.startswith(_EXEMPT_PREFIXES)
            ):
                return await original(request)
            key = key.strip()
            if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
                raise Unprocessable(
                    "Idempotency-Key 格式无效",
                    "Invalid Idempotency-Key",
                    code="invalid_idempotency_key",
                    field=["header", "Idempotency-Key"],
                )
            body = await request.body()
            digest = hashlib.sha256(
                request.method.encode() + b" " + request.url.path.encode() + b"\n" + body
            ).hexdigest()
            claim = Claim(_actor_key(request), key, request.method, request.url.path, digest)
            stored = await _lookup(request, claim)
            if stored is not None:
                if stored.body_hash != digest:
                    raise Unprocessable(
                        "该幂等键已用于另一个请求",
                        "Idempotency-Key reused with another request",
                        code="idempotency_key_reused",
                        field=["header", "Idempotency-Key"],
                    )
                return _replay(stored)
            request.state.idempotency_claim = claim
            response = await original(request)
            request.state.idempotency_response = response
            return response

        return handler
