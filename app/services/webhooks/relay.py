"""The webhook sender: one signed POST of one delivery (the `webhooks.deliver` job's HTTP call).

Fan-out, claims, retries and the dead state live in the job engine (`app/tasks/webhooks.py`,
`app/services/webhooks/dispatch.py`). Delivery is AT LEAST ONCE — a worker killed after a
consumer answered 2xx but before it recorded that sends the event again, with the same
`webhook-id` — so consumers dedupe by that id (also in `X-Zhiben-Event-Id`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx

from app.core.errors import AppError
from app.models.audit import OutboxEvent
from app.schemas.common import wire_datetime
from app.services.webhooks.standard import standard_headers
from app.services.webhooks.transport import PinnedTransport, pinned
from app.services.webhooks.urls import (
    DestinationRefused,
    Resolver,
    check_destination,
    system_resolver,
)

MAX_ATTEMPTS = 8
BASE_DELAY_S = 10
MAX_DELAY_S = 3600
CONNECT_TIMEOUT_S = 3.0
TOTAL_TIMEOUT_S = 10.0
MAX_RESPONSE_BYTES = 4096  # a consumer's answer is not read beyond this


def backoff(attempts: int) -> timedelta:
    """Wait after the `attempts`-th failed try: 10 s, 20 s, 40 s … capped at one hour."""
    return timedelta(seconds=min(BASE_DELAY_S * 2 ** max(attempts - 1, 0), MAX_DELAY_S))


def topic_matches(patterns: Sequence[str], topic: str) -> bool:
    """Empty = every topic; "*" every topic; "hazard.*" any topic under "hazard."; else exact."""
    if not patterns:
        return True
    for p in patterns:
        if p == "*" or p == topic or (p.endswith(".*") and topic.startswith(p[:-1])):
            return True
    return False


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`X-Zhiben-Signature`: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def make_client() -> httpx.AsyncClient:
    # No redirects (a 30x to an internal address would bypass the checks); no proxies from the
    # environment (they would connect on our behalf to wherever the URL says).
    # The transport connects only to the address `check_destination` checked (DNS pinning).
    return httpx.AsyncClient(
        transport=PinnedTransport(),
        timeout=httpx.Timeout(TOTAL_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": "zhiben-webhooks/1"},
    )


def event_body(event: OutboxEvent) -> bytes:
    doc = {
        "event_id": str(event.event_id),
        "topic": event.topic,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "payload": event.payload,
        "created_at": wire_datetime(event.created_at),
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()


@dataclass(frozen=True)
class Claimed:
    delivery_id: int
    attempts: int
    url: str
    secret: str
    event_id: str
    topic: str
    body: bytes


class Relay:
    def __init__(
        self,
        *,
        allowed_hosts: Collection[str] = (),
        client: httpx.AsyncClient | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self._allowed = list(allowed_hosts)
        self._own_client = client is None
        self._client = client or make_client()
        self._resolve = resolver

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    async def send(self, c: Claimed) -> tuple[int | None, str | None]:
        """One delivery attempt (the webhooks.deliver job's HTTP call)."""
        return await self._send(c)

    async def _send(self, c: Claimed) -> tuple[int | None, str | None]:
        """(status code, error): the code when the consumer answered, else a short reason."""
        try:
            host, address = await check_destination(c.url, self._allowed, self._resolve)
            with pinned(host, address):
                async with asyncio.timeout(TOTAL_TIMEOUT_S):
                    return await self._post(c), None
        except DestinationRefused:
            return None, "destination_refused: host resolves to a non-public address"
        except AppError:
            return None, "destination_refused: URL no longer allowed"
        except TimeoutError:
            return None, "timeout"
        except httpx.TimeoutException:
            return None, "timeout"
        except (httpx.HTTPError, OSError) as exc:
            return None, f"transport_error: {type(exc).__name__}"

    async def _post(self, c: Claimed) -> int:
        ts = int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Zhiben-Event-Id": c.event_id,
            "X-Zhiben-Topic": c.topic,
            "X-Zhiben-Signature": signature(c.secret, ts, c.body),
            **standard_headers(c.secret, c.event_id, ts, c.body),  # the X-Zhiben-* go in 2027
        }
        req = self._client.build_request("POST", c.url, content=c.body, headers=headers)
        resp = await self._client.send(req, stream=True, follow_redirects=False)
        try:
            # Raw bytes, not decoded: a small gzip answer may not inflate into our memory.
            # (A response built in memory, as mocks do, arrives already read.)
            seen = 0
            if not resp.is_stream_consumed:
                async for chunk in resp.aiter_raw():
                    seen += len(chunk)
                    if seen >= MAX_RESPONSE_BYTES:
                        break
        finally:
            await resp.aclose()
        return resp.status_code
