"""The relay connects to the address it checked (issue 10 finding 9, DNS rebinding), and the
IPv6 transition forms are judged by the IPv4 address they embed."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.services.webhooks.relay import make_client
from app.services.webhooks.urls import is_public_address
from tests.api.hazard_helpers import new_hazard
from tests.conftest import World
from tests.services.test_relay import (  # noqa: F401 — the fixture is used by name
    Consumer,
    deliveries,
    local_server,
    relay_for,
    subscribe,
)

PINNED_HOST = "hooks.pinned.invalid"  # .invalid never resolves in DNS (RFC 6761)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("64:ff9b::808:808", True),  # NAT64 of 8.8.8.8
        ("2002:808:808::1", True),  # 6to4 of 8.8.8.8
        ("::7f00:1", False),
        ("::127.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:0:7f00:1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b::a00:1", False),
        ("64:ff9b:1::808:808", False),
        ("2002:7f00:1::", False),
        ("2002:a00:1::", False),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # Teredo
        ("::", False),
        ("::1", False),
        ("fe80::1%eth0", False),
    ],
)
def test_transition_forms_judged_by_embedded_ipv4(address: str, public: bool) -> None:
    assert is_public_address(address) is public


async def test_connection_goes_to_the_checked_address(
    client: httpx.AsyncClient,
    world: World,
    app_instance: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    local_server: tuple[str, list[tuple[dict[str, str], bytes]]],  # noqa: F811
) -> None:
    """The name does not exist in DNS: the delivery arrives only because the relay connects
    to the address its own resolver returned, and it asks that resolver once per delivery."""
    url, received = local_server
    port = url.split(":")[2].split("/")[0]
    monkeypatch.setattr(settings, "webhook_allowed_hosts", [PINNED_HOST])
    await subscribe(client, world, url=f"http://{PINNED_HOST}:{port}/hook")
    await new_hazard(client, world, "grid1")
    asked: list[str] = []

    async def resolver(host: str, _port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    # The runner's clock starts when it is made: after the hazard, so its jobs are due.
    relay, http = relay_for(app_instance, None, resolver=resolver)
    try:
        result = await relay.drain()
    finally:
        await http.aclose()
    assert (result.done, result.retrying, result.dead) == (2, 0, 0)  # fan-out, delivery
    assert asked == [PINNED_HOST]
    [(headers, _body)] = received
    assert headers["Host"] == f"{PINNED_HOST}:{port}"  # the name, not the address


async def test_unpinned_connection_refused() -> None:
    async with make_client() as http:
        with pytest.raises(httpx.ConnectError):
            await http.post("http://127.0.0.1:9/never")


async def test_rechecked_on_every_delivery(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    hook = await subscribe(client, world)
    answers = {"now": "93.184.216.34"}

    async def rebinding(_host: str, _port: int) -> list[str]:
        return [answers["now"]]

    consumer = Consumer()
    await new_hazard(client, world, "grid1")
    # A runner's clock starts when it is made: one per round, after the round's hazard.
    relay, _ = relay_for(app_instance, consumer, resolver=rebinding)
    await relay.drain()
    assert len(consumer.requests) == 1
    answers["now"] = "::ffff:0:a9fe:a9fe"  # the name now points at the metadata address
    await new_hazard(client, world, "grid1")
    relay, _ = relay_for(app_instance, consumer, resolver=rebinding)
    await relay.drain()
    assert len(consumer.requests) == 1  # the second delivery was refused, not sent
    refused = [d for d in await deliveries(client, world, hook["id"]) if d["last_error"]]
    assert refused[0]["last_error"].startswith("destination_refused")
