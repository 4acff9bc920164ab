"""Permits in the change feed (issue 15 item 3): permits, confined spaces and a permit's site
records as object types, in the permit routes' scope; the dashboard sees none of them."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.permit_helpers import API, Crew, iso, make_crew
from tests.api.test_sync import feed
from tests.conftest import World

PERMIT_KINDS = {
    "permit",
    "confined_space",
    "permit_person",
    "permit_measure",
    "permit_ventilation",
    "permit_gas_test",
    "permit_interruption",
    "permit_entry",
}


@pytest.fixture
async def crew(client: httpx.AsyncClient, world: World, db: AsyncSession) -> Crew:
    return await make_crew(client, world, db)


async def settled(
    client: httpx.AsyncClient, world: World, who: str, expect: int, **kw: Any
) -> dict[str, Any]:
    """As test_sync's, with more patience: on PostgreSQL the feed shows only transactions
    older than every running one in the cluster, and other runs share the cluster."""
    for _ in range(300):
        body = await feed(client, world, who, **kw)
        if len(body["items"]) >= expect or os.environ.get("ZHIBEN_TEST_DB") != "postgres":
            break
        await asyncio.sleep(0.1)
    return body


def _permit_items(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in body["items"] if i["object_type"] in PERMIT_KINDS]


async def _arrange(crew: Crew) -> dict[str, Any]:
    space = await crew.space([])
    e1 = await crew.approved("confined_space", confined_space_id=space)
    v = {"method": "mechanical", "started_at": iso(-10)}
    vent = (await crew.post(f"/permits/{e1}/ventilation", v)).json()["id"]
    gas = (await crew.gas(e1, -2)).json()["id"]
    g = {"role": "guardian", "name": "赵六", "checked_in": True}
    person = (await crew.post(f"/permits/{e1}/people", g)).json()["id"]
    e2 = str((await crew.permit("hot_work", who="head2", ent="E2"))["id"])
    listed = await crew.client.get(f"{API}/permits/{e1}/measures", headers=crew.h("head1"))
    measures = [m["id"] for m in listed.json()["items"]]
    return {
        "space": space,
        "e1": e1,
        "measure": measures[0],
        "measures": measures,
        "vent": vent,
        "gas": gas,
        "person": person,
        "e2": e2,
    }


async def test_permits_and_records_in_the_feed_scoped(crew: Crew, world: World) -> None:
    ids = await _arrange(crew)
    client = crew.client
    n = len(ids["measures"])  # the confined-space catalogue, answered whole
    assert n == 10
    office = await settled(client, world, "office", 11 + n)  # 2 enterprises, E1 edited, 9 + n
    seen = [(i["object_type"], i["object_id"]) for i in _permit_items(office)]
    # one entry per measure, each in its own request, in the order they were answered
    assert sorted(oid for kind, oid in seen[2 : 2 + n]) == sorted(ids["measures"])
    assert {kind for kind, _ in seen[2 : 2 + n]} == {"permit_measure"}
    assert seen[:2] + seen[2 + n :] == [
        ("confined_space", ids["space"]),
        ("permit", ids["e1"]),
        ("permit", ids["e1"]),  # submitted
        ("permit", ids["e1"]),  # approved
        ("permit_ventilation", ids["vent"]),
        ("permit_gas_test", ids["gas"]),
        ("permit_person", ids["person"]),
        ("permit", ids["e2"]),
    ]
    statuses = [i["status"] for i in _permit_items(office) if i["object_type"] == "permit"]
    assert statuses == ["draft", "submitted", "approved", "draft"]  # each as of its change
    e1 = str(world.enterprises["E1"])
    for who in ("head1", "grid1"):
        mine = _permit_items(await settled(client, world, who, 9 + n))
        assert {i["enterprise_id"] for i in mine} == {e1}
        assert ids["e2"] not in {i["object_id"] for i in mine}
        assert len(mine) == 7 + n
    for who in ("head2", "grid2"):
        theirs = _permit_items(await settled(client, world, who, 2))
        assert [i["object_id"] for i in theirs] == [ids["e2"]]
    assert _permit_items(await settled(client, world, "dashboard", 3)) == []


async def test_include_object_gives_the_permit_routes_bodies(crew: Crew, world: World) -> None:
    ids = await _arrange(crew)
    body = await settled(crew.client, world, "head1", 9 + len(ids["measures"]), include="object")
    objects = {(i["object_type"], i["object_id"]): i["object"] for i in _permit_items(body)}
    permit = objects[("permit", ids["e1"])]
    assert permit["status"] == "approved"  # the current object, not the snapshot
    assert permit["permit_no"].startswith("YX-")
    assert objects[("confined_space", ids["space"])]["poisoning_risk"] is False
    gas = objects[("permit_gas_test", ids["gas"])]
    assert (gas["permit_id"], gas["passed"]) == (ids["e1"], True)
    assert objects[("permit_measure", ids["measure"])]["permit_id"] == ids["e1"]
    assert objects[("permit_person", ids["person"])]["role"] == "guardian"
    # grid2 (E2's grid) reads E2's permit object and nothing of E1
    other = await settled(crew.client, world, "grid2", 2, include="object")
    (only,) = _permit_items(other)
    assert only["object"]["id"] == ids["e2"]
