"""Webhooks as jobs: fan-out, signed delivery (X-Zhiben-* and Standard Webhooks), backoff,
dead deliveries, SSRF at delivery, concurrency — run by the local job runner.

The consumer (an EXTERNAL system) is mocked with httpx.MockTransport, except one test that
delivers to a real HTTP server on 127.0.0.1; the database is always the real one.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks.webhooks import Webhook

from app.jobs.local import LocalRunner
from app.models.audit import OutboxEvent
from app.models.webhook import WebhookDelivery
from app.services import audit
from app.services.webhooks.relay import MAX_ATTEMPTS, make_client
from app.services.webhooks.urls import system_resolver
from tests.api.hazard_helpers import new_hazard
from tests.conftest import World
from tests.jobs_helpers import runner_for

API = "/api/v1/webhooks"
HOOK_URL = "https://hooks.example.com/zhiben"
Handler = Callable[[httpx.Request], httpx.Response]


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


async def public_resolver(_host: str, _port: int) -> list[str]:
    return ["93.184.216.34"]  # a public address: the names in these tests do not exist


class Consumer:
    """The external consumer: records every request, answers from a script of statuses."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self.statuses = statuses or []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status = self.statuses.pop(0) if self.statuses else 200
        return httpx.Response(status, text="ok" * 10_000)  # a long answer is not read in full

    def event_ids(self) -> list[str]:
        return [r.headers["x-zhiben-event-id"] for r in self.requests]


def relay_for(
    app: Any, consumer: Handler | None, clock: Clock | None = None, **kw: Any
) -> tuple[LocalRunner, httpx.AsyncClient]:
    client = (
        httpx.AsyncClient(transport=httpx.MockTransport(consumer)) if consumer else make_client()
    )
    return runner_for(
        app, http_client=client, clock=clock or Clock(), resolver=kw.get("resolver")
    ), client


async def subscribe(
    client: httpx.AsyncClient, world: World, url: str = HOOK_URL, topics: list[str] | None = None
) -> dict[str, Any]:
    body = {"name": "大屏", "url": url, "topics": topics if topics is not None else ["hazard.*"]}
    resp = await client.post(API, json=body, headers=world.headers("office"))
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


async def deliveries(client: httpx.AsyncClient, world: World, hook_id: str) -> list[Any]:
    resp = await client.get(f"{API}/{hook_id}/deliveries", headers=world.headers("office"))
    assert resp.status_code == 200, resp.text
    items: list[Any] = resp.json()["items"]
    return items


def verify_signature(secret: str, request: httpx.Request) -> None:
    """What a consumer does: recompute HMAC-SHA256(secret, "<t>.<body>") and compare."""
    parts = dict(p.split("=", 1) for p in request.headers["x-zhiben-signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + request.content, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)


async def test_hazard_event_delivered_signed(
    client: httpx.AsyncClient, world: World, app_instance: Any, db: AsyncSession
) -> None:
    hook = await subscribe(client, world)
    hazard = await new_hazard(client, world, "grid1")
    consumer = Consumer()
    relay, _ = relay_for(app_instance, consumer)
    result = await relay.drain()
    assert (result.done, result.retrying, result.dead) == (2, 0, 0)  # fan-out, delivery
    [req] = consumer.requests
    assert req.method == "POST"
    assert str(req.url) == HOOK_URL
    verify_signature(hook["secret"], req)
    # Standard Webhooks: verified by the reference implementation, as a consumer would.
    assert Webhook(hook["secret"]).verify(req.content, dict(req.headers)) == json.loads(req.content)
    body = json.loads(req.content)
    assert set(body) == {"event_id", "topic", "object_type", "object_id", "payload", "created_at"}
    assert body["topic"] == "hazard.created"
    assert body["object_id"] == hazard["id"]
    assert req.headers["x-zhiben-event-id"] == body["event_id"]
    assert req.headers["webhook-id"] == body["event_id"]
    assert req.headers["x-zhiben-topic"] == "hazard.created"
    # A forged body does not verify with the same signature.
    forged = httpx.Request("POST", HOOK_URL, content=req.content + b" ", headers=req.headers)
    with pytest.raises(AssertionError):
        verify_signature(hook["secret"], forged)
    [d] = await deliveries(client, world, hook["id"])
    assert d["status"] == "delivered"
    assert d["event_id"] == body["event_id"]
    assert (d["attempts"], d["last_status_code"]) == (1, 200)
    events = list(await db.scalars(select(OutboxEvent)))
    assert events
    assert all(e.sent_at is not None for e in events)


async def test_topic_filtering(client: httpx.AsyncClient, world: World, app_instance: Any) -> None:
    hazards = await subscribe(client, world, topics=["hazard.*"])
    exact = await subscribe(client, world, topics=["enterprise.updated"])
    every = await subscribe(client, world, topics=[])
    await new_hazard(client, world, "grid1")
    consumer = Consumer()
    relay, _ = relay_for(app_instance, consumer)
    await relay.drain()
    assert [d["topic"] for d in await deliveries(client, world, hazards["id"])] == [
        "hazard.created"
    ]
    assert await deliveries(client, world, exact["id"]) == []
    assert [d["topic"] for d in await deliveries(client, world, every["id"])] == ["hazard.created"]
    assert len(consumer.requests) == 2


async def test_inactive_subscription_gets_nothing(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    hook = await subscribe(client, world)
    r = await client.patch(
        f"{API}/{hook['id']}", json={"is_active": False}, headers=world.headers("office")
    )
    assert r.status_code == 200
    await new_hazard(client, world, "grid1")
    consumer = Consumer()
    relay, _ = relay_for(app_instance, consumer)
    await relay.drain()
    assert consumer.requests == []
    assert await deliveries(client, world, hook["id"]) == []


async def test_retry_with_backoff_then_success(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    hook = await subscribe(client, world)
    await new_hazard(client, world, "grid1")
    consumer, clock = Consumer([500, 503]), Clock()
    relay, _ = relay_for(app_instance, consumer, clock)
    assert (await relay.drain()).retrying == 1
    [d] = await deliveries(client, world, hook["id"])
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("pending", 1, 500)
    first_wait = datetime.fromisoformat(d["next_attempt_at"]) - clock.now
    assert first_wait == timedelta(seconds=10)
    await relay.drain()  # not due yet: nothing sent
    assert len(consumer.requests) == 1
    clock.advance(10)
    assert (await relay.drain()).retrying == 1
    [d] = await deliveries(client, world, hook["id"])
    assert datetime.fromisoformat(d["next_attempt_at"]) - clock.now == timedelta(seconds=20)
    clock.advance(20)
    assert (await relay.drain()).done == 1
    [d] = await deliveries(client, world, hook["id"])
    assert (d["status"], d["attempts"], d["last_status_code"]) == ("delivered", 3, 200)
    assert d["last_error"] is None
    assert len(set(consumer.event_ids())) == 1  # the same event each time (consumers dedupe)


async def test_failed_after_max_attempts(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    hook = await subscribe(client, world)
    await new_hazard(client, world, "grid1")
    consumer, clock = Consumer([500] * 20), Clock()
    relay, _ = relay_for(app_instance, consumer, clock)
    for _ in range(MAX_ATTEMPTS + 3):
        await relay.drain()
        clock.advance(2 * 3600)  # past the longest backoff
    assert len(consumer.requests) == MAX_ATTEMPTS
    [d] = await deliveries(client, world, hook["id"])
    assert (d["status"], d["attempts"]) == ("failed", MAX_ATTEMPTS)
    assert d["last_error"] == "http_status 500"


async def test_redirect_not_followed(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    hook = await subscribe(client, world)
    await new_hazard(client, world, "grid1")
    seen: list[httpx.Request] = []

    def consumer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})

    relay, _ = relay_for(app_instance, consumer)
    await relay.drain()
    assert [str(r.url) for r in seen] == [HOOK_URL]
    [d] = await deliveries(client, world, hook["id"])
    assert (d["status"], d["last_status_code"]) == ("pending", 302)


async def test_no_double_delivery_when_run_twice(
    client: httpx.AsyncClient, world: World, app_instance: Any, db: AsyncSession
) -> None:
    hook = await subscribe(client, world)
    await new_hazard(client, world, "grid1")
    consumer = Consumer()
    relay, _ = relay_for(app_instance, consumer)
    await relay.drain()
    again = await relay.drain()
    assert again.total == 0
    assert len(consumer.requests) == 1
    assert len(await deliveries(client, world, hook["id"])) == 1
    assert len(list(await db.scalars(select(WebhookDelivery)))) == 1


async def test_name_resolving_to_loopback_refused_at_delivery(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    """A DNS name is accepted when stored, but "localhost" resolves to 127.0.0.1: the relay
    (with the real resolver) refuses to connect and never sends the event."""
    hook = await subscribe(client, world, url="https://localhost:9/hook")
    await new_hazard(client, world, "grid1")
    consumer = Consumer()
    relay, _ = relay_for(app_instance, consumer, resolver=system_resolver)
    result = await relay.drain()
    assert consumer.requests == []
    assert (result.done, result.retrying) == (1, 1)  # the fan-out ran; the delivery waits
    [d] = await deliveries(client, world, hook["id"])
    assert d["status"] == "pending"
    assert d["last_error"].startswith("destination_refused")
    assert d["last_status_code"] is None


async def test_resolver_answering_metadata_address_refused(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    hook = await subscribe(client, world)
    await new_hazard(client, world, "grid1")

    async def rebinding(_host: str, _port: int) -> list[str]:
        return ["93.184.216.34", "169.254.169.254"]  # one bad address is enough to refuse

    consumer = Consumer()
    relay, _ = relay_for(app_instance, consumer, resolver=rebinding)
    await relay.drain()
    assert consumer.requests == []
    [d] = await deliveries(client, world, hook["id"])
    assert d["last_error"].startswith("destination_refused")


class _Recorder(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        type(self).received.append((dict(self.headers.items()), self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_args: Any) -> None:  # keep test output quiet
        return


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    _Recorder.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", _Recorder.received
    finally:
        server.shutdown()
        server.server_close()


async def test_delivery_to_real_local_server(
    client: httpx.AsyncClient,
    world: World,
    app_instance: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    local_server: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    url, received = local_server
    monkeypatch.setattr(settings, "webhook_allowed_hosts", ["127.0.0.1"])
    hook = await subscribe(client, world, url=url)
    await new_hazard(client, world, "grid1")
    relay, http = relay_for(app_instance, None, resolver=system_resolver)  # real client
    try:
        result = await relay.drain()
    finally:
        await http.aclose()
    assert result.done == 2
    [(headers, body)] = received
    request = httpx.Request("POST", url, content=body, headers=headers)
    verify_signature(hook["secret"], request)
    assert json.loads(body)["topic"] == "hazard.created"
    [d] = await deliveries(client, world, hook["id"])
    assert (d["status"], d["last_status_code"]) == ("delivered", 204)


async def test_local_server_refused_without_allowlist(
    client: httpx.AsyncClient,
    world: World,
    app_instance: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    local_server: tuple[str, list[tuple[dict[str, str], bytes]]],
) -> None:
    url, received = local_server
    monkeypatch.setattr(settings, "webhook_allowed_hosts", ["127.0.0.1"])
    hook = await subscribe(client, world, url=url)
    await new_hazard(client, world, "grid1")
    monkeypatch.setattr(settings, "webhook_allowed_hosts", [])  # allowlist since emptied
    relay, http = relay_for(app_instance, None, resolver=system_resolver)
    try:
        await relay.drain()
    finally:
        await http.aclose()
    assert received == []
    [d] = await deliveries(client, world, hook["id"])
    assert d["last_error"].startswith("destination_refused")


@pytest.mark.skipif(os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="PostgreSQL only")
async def test_concurrent_relays_deliver_each_event_once(
    client: httpx.AsyncClient, world: World, app_instance: Any, db: AsyncSession
) -> None:
    await subscribe(client, world, topics=[])
    await subscribe(client, world, url="https://other.example.com/h", topics=["test.*"])
    for i in range(60):
        audit.emit(db, topic="test.event", object_type="test", object_id=str(i))
    await db.commit()
    consumer, clock = Consumer(), Clock()
    relays = [relay_for(app_instance, consumer, clock)[0] for _ in range(2)]
    await asyncio.gather(*(r.drain() for r in relays))
    await asyncio.gather(*(r.drain() for r in relays))
    pairs = [(str(r.url), r.headers["x-zhiben-event-id"]) for r in consumer.requests]
    assert len(pairs) == 120
    assert len(set(pairs)) == 120  # each event once per subscription
    rows = list(await db.scalars(select(WebhookDelivery)))
    assert len(rows) == 120
    assert {r.status for r in rows} == {"delivered"}


async def test_dead_delivery_redelivered(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    hook = await subscribe(client, world)
    other = await subscribe(client, world, url="https://other.example.com/h", topics=["x.*"])
    await new_hazard(client, world, "grid1")
    consumer, clock = Consumer([500] * MAX_ATTEMPTS), Clock()
    relay, _ = relay_for(app_instance, consumer, clock)
    for _ in range(MAX_ATTEMPTS + 1):
        await relay.drain()
        clock.advance(2 * 3600)
    [dead] = await deliveries(client, world, hook["id"])
    assert dead["status"] == "failed"
    url = f"{API}/{hook['id']}/deliveries/{dead['id']}/redeliver"
    for who, status in (("head1", 403), ("grid1", 403), ("dashboard", 403)):
        assert (await client.post(url, headers=world.headers(who))).status_code == status
    wrong = f"{API}/{other['id']}/deliveries/{dead['id']}/redeliver"  # not this hook's
    assert (await client.post(wrong, headers=world.headers("office"))).status_code == 404
    huge = f"{API}/{hook['id']}/deliveries/{2**63}/redeliver"
    assert (await client.post(huge, headers=world.headers("office"))).status_code == 422
    r = await client.post(url, headers=world.headers("office"))
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["attempts"]) == ("pending", 0)
    again = await client.post(url, headers=world.headers("office"))
    assert again.status_code == 409  # pending, not dead
    assert again.json()["code"] == "delivery_not_failed"
    clock.advance(1)
    await relay.drain()  # the consumer's script is used up: it answers 200 now
    [d] = await deliveries(client, world, hook["id"])
    assert (d["status"], d["attempts"]) == ("delivered", 1)
    assert consumer.event_ids()[-1] == dead["event_id"]  # the same webhook-id: consumers dedupe


async def test_switched_off_before_delivery_is_skipped_then_resent(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    """Issue 13: a delivery whose subscription is switched off after the event ends
    `skipped` (shown, not silently dropped) and can be re-sent once it is active again."""
    hook = await subscribe(client, world)
    await new_hazard(client, world, "grid1")
    consumer = Consumer()
    relay, _ = relay_for(app_instance, consumer)
    await relay.run_due()  # the fan-out only: the delivery exists, not yet sent
    [pending] = await deliveries(client, world, hook["id"])
    assert pending["status"] == "pending"
    hook_url = f"{API}/{hook['id']}"
    off = await client.patch(hook_url, json={"is_active": False}, headers=world.headers("office"))
    assert off.status_code == 200
    await relay.drain()
    assert consumer.requests == []
    [skipped] = await deliveries(client, world, hook["id"])
    assert (skipped["status"], skipped["last_error"]) == ("skipped", "subscription_inactive")
    assert skipped["attempts"] == 0
    url = f"{hook_url}/deliveries/{skipped['id']}/redeliver"
    refused = await client.post(url, headers=world.headers("office"))
    assert refused.status_code == 409
    assert refused.json()["code"] == "subscription_inactive"
    on = await client.patch(hook_url, json={"is_active": True}, headers=world.headers("office"))
    assert on.status_code == 200
    resent = await client.post(url, headers=world.headers("office"))
    assert resent.status_code == 200, resent.text
    assert resent.json()["status"] == "pending"
    relay, _ = relay_for(app_instance, consumer)  # a runner whose clock starts now
    await relay.drain()
    [d] = await deliveries(client, world, hook["id"])
    assert (d["status"], d["attempts"], d["last_error"]) == ("delivered", 1, None)
    assert consumer.event_ids() == [skipped["event_id"]]
