"""The outbox relay: publishes committed outbox events to webhook subscriptions.

Quality notes §7 "Outbox for notifications": a change and its outbox row commit together; this
relay fans each unsent event out into one delivery row per matching active subscription and
then POSTs the deliveries, retrying with backoff. Delivery is AT LEAST ONCE — a relay killed
after a consumer answered 2xx but before it recorded that sends the event again — so
consumers dedupe by `event_id` (the `X-Zhiben-Event-Id` header).

On PostgreSQL several relays may run at once: fan-out and claims use
`SELECT … FOR UPDATE SKIP LOCKED`, and a claimed delivery's `next_attempt_at` is pushed ahead
(a lease) so no other relay sends it meanwhile. SQLite has one writer: plain selects.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx
from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.errors import AppError
from app.models.audit import OutboxEvent
from app.models.base import utcnow
from app.models.webhook import DeliveryStatus, WebhookDelivery, WebhookSubscription
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
LEASE = timedelta(seconds=60)  # longer than one send may take (TOTAL_TIMEOUT_S)
CONNECT_TIMEOUT_S = 3.0
TOTAL_TIMEOUT_S = 10.0
MAX_RESPONSE_BYTES = 4096  # a consumer's answer is not read beyond this
SEND_CONCURRENCY = 10


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
        "created_at": event.created_at.isoformat(),
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


@dataclass
class CycleResult:
    fanned_out: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0


S = TypeVar("S", bound=Select)  # type: ignore[type-arg]


def _locking(session: AsyncSession, stmt: S, **of: Any) -> S:
    """FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite has a single writer and no row locks."""
    if session.get_bind().dialect.name == "postgresql":
        return stmt.with_for_update(skip_locked=True, **of)
    return stmt


class Relay:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        allowed_hosts: Collection[str] = (),
        client: httpx.AsyncClient | None = None,
        resolver: Resolver = system_resolver,
        clock: Callable[[], datetime] = utcnow,
        batch_size: int = 100,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._allowed = list(allowed_hosts)
        self._own_client = client is None
        self._client = client or make_client()
        self._resolve = resolver
        self._clock = clock
        self._batch = batch_size

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    async def run_once(self) -> CycleResult:
        result = CycleResult(fanned_out=await self.fan_out())
        await self.deliver_due(result)
        return result

    async def fan_out(self) -> int:
        """Turn every unsent outbox event into deliveries; returns how many events."""
        total = 0
        while True:
            n = await self._fan_out_batch()
            total += n
            if n < self._batch:
                return total

    async def _fan_out_batch(self) -> int:
        # One transaction per batch: the deliveries and the event's sent_at commit together,
        # and the row locks keep a concurrent relay off these events.
        async with self._sessionmaker() as session, session.begin():
            stmt = select(OutboxEvent).where(OutboxEvent.sent_at.is_(None))
            stmt = _locking(session, stmt.order_by(OutboxEvent.id).limit(self._batch))
            events = list(await session.scalars(stmt))
            if not events:
                return 0
            subs = list(
                await session.scalars(
                    select(WebhookSubscription).where(WebhookSubscription.is_active.is_(True))
                )
            )
            now = self._clock()
            for event in events:
                for sub in subs:
                    if topic_matches(sub.topics, event.topic):
                        session.add(_new_delivery(event, sub, now))
                event.sent_at = now
            return len(events)

    async def deliver_due(self, result: CycleResult | None = None) -> CycleResult:
        """Send every due pending delivery once (in claimed batches)."""
        result = result or CycleResult()
        gate = asyncio.Semaphore(SEND_CONCURRENCY)

        async def one(c: Claimed) -> None:
            async with gate:
                code, error = await self._send(c)
            await self._record(c, code, error, result)

        while claimed := await self._claim():
            await asyncio.gather(*(one(c) for c in claimed))
            if len(claimed) < self._batch:
                break
        return result

    async def _claim(self) -> list[Claimed]:
        now = self._clock()
        async with self._sessionmaker() as session, session.begin():
            stmt = (
                select(WebhookDelivery, WebhookSubscription, OutboxEvent)
                .join(
                    WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id
                )
                .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
                .where(
                    WebhookDelivery.status == DeliveryStatus.pending,
                    WebhookDelivery.next_attempt_at <= now,
                    WebhookSubscription.is_active.is_(True),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(self._batch)
            )
            stmt = _locking(session, stmt, of=WebhookDelivery)
            out = []
            for delivery, sub, event in (await session.execute(stmt)).all():
                delivery.next_attempt_at = now + LEASE  # the lease: not due for anyone else
                out.append(
                    Claimed(
                        delivery.id,
                        delivery.attempts,
                        sub.url,
                        sub.secret,
                        str(event.event_id),
                        event.topic,
                        event_body(event),
                    )
                )
            return out

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

    async def _record(
        self, c: Claimed, code: int | None, error: str | None, result: CycleResult
    ) -> None:
        now = self._clock()
        attempts = c.attempts + 1
        values: dict[str, object] = {"attempts": attempts, "last_status_code": code}
        if code is not None and 200 <= code < 300:
            values |= {"status": DeliveryStatus.delivered, "delivered_at": now, "last_error": None}
            result.delivered += 1
        else:
            values["last_error"] = (error or f"http_status {code}")[:200]
            if attempts >= MAX_ATTEMPTS:
                values["status"] = DeliveryStatus.failed
                result.failed += 1
            else:
                values["next_attempt_at"] = now + backoff(attempts)
                result.retrying += 1
        async with self._sessionmaker() as session, session.begin():
            # Guarded by the attempt count: if the lease ran out and another relay already
            # recorded this attempt, this stale result changes nothing.
            await session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == c.delivery_id,
                    WebhookDelivery.status == DeliveryStatus.pending,
                    WebhookDelivery.attempts == c.attempts,
                )
                .values(**values)
            )


def _new_delivery(event: OutboxEvent, sub: WebhookSubscription, now: datetime) -> WebhookDelivery:
    return WebhookDelivery(
        event_id=event.id,
        subscription_id=sub.id,
        status=DeliveryStatus.pending,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
