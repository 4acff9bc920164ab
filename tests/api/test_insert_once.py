"""Client-id creates are inserted once (issue 10 finding 11): concurrent re-sends of one
create give one object and the same answer; a used id, foreign or not, is a 409."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.api.test_accidents import accident
from tests.api.test_enterprises import new_enterprise
from tests.api.test_records import drill_body
from tests.conftest import World, assert_problem

Case = tuple[str, str, Callable[[World], dict[str, Any]]]

CASES: dict[str, Case] = {
    "hazard": (
        "head1",
        "/api/v1/hazards",
        lambda w: {
            "enterprise_id": str(w.enterprises["E1"]),
            "description": "配电箱未上锁",
            "category": "electrical",
        },
    ),
    "drill": ("head1", "/api/v1/enterprises/{E1}/drills", lambda _w: drill_body()),
    "accident": ("office", "/api/v1/accidents", lambda w: accident(w, direct_loss_yuan="10")),
    "webhook": (
        "office",
        "/api/v1/webhooks",
        lambda _w: {"name": "大屏", "url": "https://hooks.example.com/h", "topics": []},
    ),
    "enterprise": ("office", "/api/v1/enterprises", lambda w: new_enterprise(w)),
    "grid": ("office", "/api/v1/grids", lambda _w: {"name": "新网格"}),
}


def _path(world: World, template: str) -> str:
    return template.replace("{E1}", str(world.enterprises["E1"]))


@pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="real concurrency: PostgreSQL only"
)
@pytest.mark.parametrize("kind", sorted(CASES))
async def test_parallel_resends_make_one_object(
    client: httpx.AsyncClient, world: World, kind: str
) -> None:
    who, template, make = CASES[kind]
    path = _path(world, template)
    body = {**make(world), "id": str(uuid.uuid4())}
    answers = await asyncio.gather(
        *[client.post(path, json=body, headers=world.headers(who)) for _ in range(10)]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 9 + [201], [a.text for a in answers]
    # The same body every time (the webhook secret is shown in the first answer only).
    bodies = [{k: v for k, v in a.json().items() if k != "secret"} for a in answers]
    assert all(b == bodies[0] for b in bodies), bodies
    one = await client.get(f"{path}/{body['id']}", headers=world.headers(who))
    assert one.status_code == 200, one.text


async def test_used_id_is_409_whether_foreign_or_not(
    client: httpx.AsyncClient, world: World
) -> None:
    hid = str(uuid.uuid4())
    mine = {"enterprise_id": str(world.enterprises["E1"]), "description": "d", "category": "fire"}
    assert (
        await client.post(
            "/api/v1/hazards", json={**mine, "id": hid}, headers=world.headers("head1")
        )
    ).status_code == 201
    # head2 cannot see head1's hazard: its id, used for head2's own hazard, is taken — the
    # same 409 as head1 re-using it for other content, and nothing about the object shown.
    theirs = {**mine, "enterprise_id": str(world.enterprises["E2"]), "id": hid}
    foreign = assert_problem(
        await client.post("/api/v1/hazards", json=theirs, headers=world.headers("head2")),
        409,
        "id_conflict",
    )
    other = assert_problem(
        await client.post(
            "/api/v1/hazards",
            json={**mine, "id": hid, "description": "另一条"},
            headers=world.headers("head1"),
        ),
        409,
        "id_conflict",
    )
    assert foreign["detail"] == other["detail"]
