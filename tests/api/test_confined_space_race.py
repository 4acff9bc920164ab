"""The confined-space ledger under concurrent creates (13号令 art. 6): one code per enterprise,
decided by the unique index — a 409 for the loser, never a 500; a client id replays."""

from __future__ import annotations

import asyncio
import os
import uuid
from typing import Any

import httpx
import pytest

from tests.conftest import World, assert_problem

pg_only = pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="real concurrency: PostgreSQL only"
)


def _url(world: World, ent: str = "E1") -> str:
    return f"/api/v1/enterprises/{world.enterprises[ent]}/confined-spaces"


def _body(**kw: Any) -> dict[str, Any]:
    return {"name": "污水池", "location": "厂区东侧", "poisoning_gases": ["H2S"]} | kw


@pg_only
async def test_two_creates_of_one_code_give_201_and_409(
    client: httpx.AsyncClient, world: World
) -> None:
    answers = await asyncio.gather(
        *[
            client.post(_url(world), json=_body(code="YX-01"), headers=world.headers("head1"))
            for _ in range(2)
        ]
    )
    codes = sorted(a.status_code for a in answers)
    assert codes == [201, 409], [a.text for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    assert_problem(loser, 409, "space_code_taken")
    listed = await client.get(_url(world), headers=world.headers("head1"))
    assert [s["code"] for s in listed.json()["items"]] == ["YX-01"]


@pg_only
async def test_concurrent_creates_without_a_code_get_distinct_codes(
    client: httpx.AsyncClient, world: World
) -> None:
    answers = await asyncio.gather(
        *[client.post(_url(world), json=_body(), headers=world.headers("head1")) for _ in range(4)]
    )
    assert sorted(a.status_code for a in answers) == [201] * 4, [a.text for a in answers]
    assert sorted(a.json()["code"] for a in answers) == [
        "YXKJ-0001",
        "YXKJ-0002",
        "YXKJ-0003",
        "YXKJ-0004",
    ]


@pg_only
async def test_concurrent_resends_of_one_id_make_one_space(
    client: httpx.AsyncClient, world: World
) -> None:
    body = _body(id=str(uuid.uuid4()), code="YX-02")
    answers = await asyncio.gather(
        *[client.post(_url(world), json=body, headers=world.headers("head1")) for _ in range(5)]
    )
    assert sorted(a.status_code for a in answers) == [200] * 4 + [201], [a.text for a in answers]


async def test_code_taken_and_id_replay_one_after_the_other(
    client: httpx.AsyncClient, world: World
) -> None:
    sid = str(uuid.uuid4())
    first = await client.post(
        _url(world), json=_body(id=sid, code="YX-03"), headers=world.headers("head1")
    )
    assert first.status_code == 201, first.text
    again = await client.post(
        _url(world), json=_body(id=sid, code="YX-03"), headers=world.headers("head1")
    )
    assert again.status_code == 200
    assert again.json() == first.json()
    taken = await client.post(_url(world), json=_body(code="YX-03"), headers=world.headers("head1"))
    assert_problem(taken, 409, "space_code_taken")
    # the same code in another enterprise is free; the same id there is taken
    other = await client.post(
        _url(world, "E2"), json=_body(code="YX-03"), headers=world.headers("head2")
    )
    assert other.status_code == 201
    foreign = await client.post(
        _url(world, "E2"), json=_body(id=sid, code="YX-04"), headers=world.headers("head2")
    )
    assert_problem(foreign, 409, "id_conflict")
