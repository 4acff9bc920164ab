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
    office = world.headers("office")
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
        final = (await client.get(f"{API}/{h['id']}", headers=office)).json()
        winner = submit if submit.status_code == 200 else void
        # The stored row is the winner's answer, and carries nothing of the loser's change.
        assert final == {**winner.json(), "overdue": final["overdue"]}
        if winner is submit:
            assert (final["status"], final["evidence"], final["void_reason"]) == (
                "pending_verification",
                "e",
                None,
            )
        else:
            assert (final["status"], final["void_reason"], final["evidence"]) == (
                "voided",
                "r",
                None,
            )
        hist = (await client.get(f"{API}/{h['id']}/history", headers=office)).json()
        actor = world.users["head1" if winner is submit else "office"]
        assert [(i["action"], i["actor_id"]) for i in hist["items"]] == [
            ("create", str(world.users["grid1"])),
            ("plan", str(world.users["head1"])),
            ("submit" if winner is submit else "void", str(actor)),
        ]


async def test_same_transition_twice_one_applies(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "grid1")
    bodies = {
        "head1": {**PLAN_GENERAL, "responsible_person": "张三", "deadline": tomorrow()},
        "grid1": {**PLAN_GENERAL, "responsible_person": "李四", "deadline": tomorrow()},
    }
    a, b = await asyncio.gather(
        *(act(client, world, who, h["id"], "plan", body) for who, body in bodies.items())
    )
    assert sorted([a.status_code, b.status_code]) == [200, 409]
    who = "head1" if a.status_code == 200 else "grid1"
    final = (await client.get(f"{API}/{h['id']}", headers=world.headers("office"))).json()
    # Exactly one plan applied: the row holds the winner's plan, version bumped once.
    assert (final["status"], final["responsible_person"]) == (
        "rectifying",
        bodies[who]["responsible_person"],
    )
    assert final["version"] == h["version"] + 1
    hist = (await client.get(f"{API}/{h['id']}/history", headers=world.headers("office"))).json()
    assert [(i["action"], i["actor_id"]) for i in hist["items"]] == [
        ("create", str(world.users["grid1"])),
        ("plan", str(world.users[who])),
    ]
