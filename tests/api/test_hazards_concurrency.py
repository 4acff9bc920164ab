"""Two conflicting transitions at once: exactly one wins (PostgreSQL row locks)."""

from __future__ import annotations

import asyncio
import os

import httpx
import pytest

from tests.api.hazard_helpers import API, PLAN_GENERAL, act, new_hazard, tomorrow
from tests.conftest import World

pytestmark = pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="row-lock concurrency: PostgreSQL only"
)


async def test_conflicting_transitions_one_winner(client: httpx.AsyncClient, world: World) -> None:
    for _ in range(5):
        h = await new_hazard(client, world, "grid1")
        r = await act(
            client, world, "head1", h["id"], "plan", {**PLAN_GENERAL, "deadline": tomorrow()}
        )
        etag = r.headers["etag"]
        submit, void = await asyncio.gather(
            act(client, world, "head1", h["id"], "submit", {"evidence": "e"}, **{"If-Match": etag}),
            act(client, world, "office", h["id"], "void", {"reason": "r"}),
        )
        codes = sorted([submit.status_code, void.status_code])
        assert codes[0] == 200, (submit.text, void.text)
        assert codes[1] in (409, 412), (submit.text, void.text)
        final = (await client.get(f"{API}/{h['id']}", headers=world.headers("office"))).json()
        winner = "pending_verification" if submit.status_code == 200 else "voided"
        assert final["status"] == winner
        hist = (
            await client.get(f"{API}/{h['id']}/history", headers=world.headers("office"))
        ).json()
        assert [i["action"] for i in hist["items"]][-1] in ("submit", "void")
        assert len(hist["items"]) == 3  # create, plan, and only the winner


async def test_same_transition_twice_one_applies(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "grid1")
    body = {**PLAN_GENERAL, "deadline": tomorrow()}
    a, b = await asyncio.gather(
        act(client, world, "head1", h["id"], "plan", body),
        act(client, world, "grid1", h["id"], "plan", body),
    )
    assert sorted([a.status_code, b.status_code]) == [200, 409]
