"""Pure ASGI middleware: request id, access log, and a cap on request bodies before parsing."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.db import NeedsTransaction
from app.core.logging import request_id_var

log = logging.getLogger("zhiben.access")
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


class RequestContextMiddleware:
    """Takes a sane `X-Request-ID` or makes one, echoes it, and logs each request once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                headers.append((b"x-content-type-options", b"nosniff"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "request",
                extra={
                    "method": scope["method"],
                    "path": scope["path"],  # the query string may carry cursors; keep it out
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id_var.reset(token)


class BodySizeLimitMiddleware:
    """Refuses bodies over a cap before any parser reads them (413), streamed or declared.

    Multipart uploads may carry a photo (`max_bytes`); every other body — JSON, forms — is
    held to `json_max_bytes`, far below, so no one can make the JSON parser and the
    validator chew on megabytes (issue 10, finding 5)."""

    def __init__(self, app: ASGIApp, max_bytes: int, json_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.json_max_bytes = json_max_bytes if json_max_bytes is not None else max_bytes

    def _cap(self, headers: dict[bytes, bytes]) -> int:
        content_type = headers.get(b"content-type", b"").lower()
        if content_type.startswith(b"multipart/form-data"):
            return self.max_bytes
        return self.json_max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        cap = self._cap(headers)
        declared = headers.get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > cap):
            await _too_large(scope, send)
            return
        await self._streamed(scope, receive, send, cap)

    async def _streamed(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        """A body without Content-Length (chunked) is counted as it arrives. Whatever the
        app makes of the cut-off body (the parsers turn the error into a 422), the answer
        is replaced by the 413 the client deserves."""
        seen = 0
        exceeded = started = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _too_large(scope, send)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _BodyTooLarge:
            if not started:
                await _too_large(scope, send)


class TransactionRetryMiddleware:
    """Runs a request once more when its transaction hit a serialization failure or a
    deadlock (SQLSTATE 40001/40P01; issue 10, finding 10).

    The unit of work is the whole request (one session, one commit before the answer), so
    the retry is too: routing, authentication, validation, the service and the commit run
    again on a fresh session. The error handler answers such a failure 503 and flags the
    request (`state.transaction_conflict`); this middleware drops that answer before a byte
    of it is sent and replays the request body it recorded. A body too large to keep in
    memory (a photo) is not replayed: that request keeps its 503 and `Retry-After`.
    """

    def __init__(self, app: ASGIApp, retries: int = 1, max_replay_bytes: int = 1 << 20) -> None:
        self.app = app
        self.retries = retries
        self.max_replay_bytes = max_replay_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = _RecordedBody(receive, self.max_replay_bytes)
        state = dict(scope.get("state", {}))
        conflicts = attempt = 0
        while True:
            last = conflicts >= self.retries
            attempt_scope = {**scope, "state": dict(state)}
            outcome = await self._attempt(attempt_scope, body.receiver(attempt), send, last, body)
            attempt += 1
            if outcome == "done":
                return
            if outcome == "transaction":
                # A GET that writes (issue 11): nothing was sent; run it in a transaction.
                state["needs_transaction"] = True
                log.info("re-running a read-only request inside a transaction")
                continue
            conflicts += 1
            log.warning("retrying the request after a transaction conflict")

    async def _attempt(
        self, scope: Scope, receive: Receive, send: Send, last: bool, body: _RecordedBody
    ) -> str:
        dropped = started = False

        async def conflict_aware_send(message: Message) -> None:
            nonlocal dropped, started
            if message["type"] == "http.response.start" and not last and body.replayable:
                dropped = bool(scope["state"].get("transaction_conflict"))
            if not dropped:
                started = True
                await send(message)

        try:
            await self.app(scope, receive, conflict_aware_send)
        except NeedsTransaction:
            if started or scope["state"].get("needs_transaction") or not body.replayable:
                raise
            return "transaction"
        return "conflict" if dropped else "done"


class _RecordedBody:
    """The request body as the app read it, kept (up to a cap) to be read again."""

    def __init__(self, receive: Receive, cap: int) -> None:
        self._receive = receive
        self._cap = cap
        self._messages: list[Message] = []
        self._size = 0
        self.replayable = True

    def receiver(self, attempt: int) -> Receive:
        return self._recording if attempt == 0 else self._replaying()

    async def _recording(self) -> Message:
        message = await self._receive()
        if message["type"] == "http.request" and self.replayable:
            self._size += len(message.get("body", b""))
            self.replayable = self._size <= self._cap
            self._messages.append(message)
        return message

    def _replaying(self) -> Receive:
        pending = list(self._messages)

        async def receive() -> Message:
            # What the first attempt read, then whatever it left unread (or the disconnect).
            return pending.pop(0) if pending else await self._receive()

        return receive


class _BodyTooLarge(Exception):
    pass


async def _too_large(scope: Scope, send: Send) -> None:
    import json

    body = json.dumps(
        {
            "type": "https://zhiben.example/problems/payload_too_large",
            "title": "请求体过大",
            "status": 413,
            "detail": "请求体超过允许的大小",
            "code": "payload_too_large",
            "instance": scope.get("path"),
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
