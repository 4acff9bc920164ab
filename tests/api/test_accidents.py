"""Accidents (graded per 493号令 第三条) and warning interviews through the API (issue 6)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.records_helpers import add_hazard
from tests.conftest import World, assert_problem


def accident(world: World, ent: str = "E1", **kw: Any) -> dict[str, Any]:
    body = {
        "enterprise_id": str(world.enterprises[ent]),
        "occurred_at": "2025-07-01T10:00:00+08:00",
        "description": "机械伤害事故",
        "deaths": 0,
        "serious_injuries": 0,
        "direct_loss_yuan": 0,
    }
    return body | kw


# Every threshold of 493号令 第三条, just below and at it ("以上" includes the number).
BOUNDARIES = [
    ({"deaths": 2}, "general"),
    ({"deaths": 3}, "larger"),
    ({"deaths": 9}, "larger"),
    ({"deaths": 10}, "major"),
    ({"deaths": 29}, "major"),
    ({"deaths": 30}, "especially_major"),
    ({"serious_injuries": 9}, "general"),
    ({"serious_injuries": 10}, "larger"),
    ({"serious_injuries": 49}, "larger"),
    ({"serious_injuries": 50}, "major"),
    ({"serious_injuries": 99}, "major"),
    ({"serious_injuries": 100}, "especially_major"),
    ({"direct_loss_yuan": "9999999.99"}, "general"),
    ({"direct_loss_yuan": "10000000"}, "larger"),
    ({"direct_loss_yuan": "49999999.99"}, "larger"),
    ({"direct_loss_yuan": "50000000"}, "major"),
    ({"direct_loss_yuan": "99999999.99"}, "major"),
    ({"direct_loss_yuan": "100000000"}, "especially_major"),
    # The highest grade reached on any axis wins.
    ({"deaths": 1, "serious_injuries": 10, "direct_loss_yuan": "50000000"}, "major"),
    ({"deaths": 0, "serious_injuries": 0, "direct_loss_yuan": 0}, "general"),
]


@pytest.mark.parametrize(("figures", "grade"), BOUNDARIES)
async def test_grade_at_each_boundary(
    client: httpx.AsyncClient, world: World, figures: dict[str, Any], grade: str
) -> None:
    resp = await client.post(
        "/api/v1/accidents", json=accident(world, **figures), headers=world.headers("office")
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["grade"] == grade
    got = await client.get(
        f"/api/v1/accidents/{resp.json()['id']}", headers=world.headers("office")
    )
    assert got.json()["grade"] == grade


async def test_late_deaths_regrade(client: httpx.AsyncClient, world: World) -> None:
    acc = (
        await client.post(
            "/api/v1/accidents", json=accident(world, deaths=2), headers=world.headers("office")
        )
    ).json()
    assert acc["grade"] == "general"
    url = f"/api/v1/accidents/{acc['id']}"
    resp = await client.patch(url, json={"deaths": 3}, headers=world.headers("office"))
    assert resp.status_code == 200, resp.text
    assert resp.json()["grade"] == "larger"
    assert_problem(await client.patch(url, json={"deaths": 4}, headers=world.headers("head1")), 403)
    assert_problem(
        await client.patch(url, json={"deaths": None}, headers=world.headers("office")), 422
    )


async def test_accident_scope(client: httpx.AsyncClient, world: World) -> None:
    a1 = (
        await client.post(
            "/api/v1/accidents", json=accident(world), headers=world.headers("office")
        )
    ).json()
    a2 = (
        await client.post(
            "/api/v1/accidents", json=accident(world, "E2"), headers=world.headers("office")
        )
    ).json()
    listed = await client.get("/api/v1/accidents", headers=world.headers("head1"))
    assert [a["id"] for a in listed.json()["items"]] == [a1["id"]]
    assert (
        await client.get(f"/api/v1/accidents/{a1['id']}", headers=world.headers("head1"))
    ).status_code == 200
    assert_problem(
        await client.get(f"/api/v1/accidents/{a2['id']}", headers=world.headers("head1")), 404
    )
    office = await client.get("/api/v1/accidents", headers=world.headers("office"))
    assert {a["id"] for a in office.json()["items"]} == {a1["id"], a2["id"]}
    # Grid staff and the dashboard do not read accident records; heads do not write them.
    for who in ("grid1", "dashboard"):
        assert_problem(await client.get("/api/v1/accidents", headers=world.headers(who)), 403)
        assert_problem(await client.get("/api/v1/interviews", headers=world.headers(who)), 403)
    for who in ("head1", "grid1", "dashboard"):
        resp = await client.post(
            "/api/v1/accidents", json=accident(world), headers=world.headers(who)
        )
        assert_problem(resp, 403)


async def test_accident_year_filter_is_shanghai_calendar(
    client: httpx.AsyncClient, world: World
) -> None:
    # 2024-12-31T16:30Z is 2025-01-01 00:30 in Shanghai.
    for at in ("2024-12-31T16:30:00Z", "2024-12-31T15:59:00Z"):
        await client.post(
            "/api/v1/accidents",
            json=accident(world, occurred_at=at),
            headers=world.headers("office"),
        )
    y25 = await client.get(
        "/api/v1/accidents", params={"year": 2025}, headers=world.headers("office")
    )
    y24 = await client.get(
        "/api/v1/accidents", params={"year": 2024}, headers=world.headers("office")
    )
    assert len(y25.json()["items"]) == 1
    assert len(y24.json()["items"]) == 1
    assert y25.json()["items"][0]["occurred_at"].startswith("2024-12-31T16:30")


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"deaths": -1}, "deaths"),
        ({"direct_loss_yuan": "-1"}, "direct_loss_yuan"),
        ({"direct_loss_yuan": "1.001"}, "direct_loss_yuan"),
        ({"occurred_at": "2025-07-01T10:00:00"}, "occurred_at"),
        ({"description": ""}, "description"),
        ({"enterprise_id": str(uuid.UUID(int=1))}, "enterprise_id"),
    ],
)
async def test_accident_bad_input(
    client: httpx.AsyncClient, world: World, patch: dict[str, Any], field: str
) -> None:
    resp = await client.post(
        "/api/v1/accidents", json=accident(world, **patch), headers=world.headers("office")
    )
    problem = assert_problem(resp, 422)
    assert any(e["loc"][-1] == field for e in problem["errors"]), problem  # type: ignore[attr-defined]


async def test_accident_replay(client: httpx.AsyncClient, world: World) -> None:
    body = accident(world, id=str(uuid.uuid4()), direct_loss_yuan="1000")
    first = await client.post("/api/v1/accidents", json=body, headers=world.headers("office"))
    again = await client.post("/api/v1/accidents", json=body, headers=world.headers("office"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    other = body | {"deaths": 5}
    assert_problem(
        await client.post("/api/v1/accidents", json=other, headers=world.headers("office")), 409
    )


def interview(world: World, ent: str = "E1", **kw: Any) -> dict[str, Any]:
    body = {
        "enterprise_id": str(world.enterprises[ent]),
        "person_name": "王五",
        "person_title": "主要负责人",
        "reason": "较大事故警示约谈",
        "held_on": "2025-07-05",
        "reported_to_district": True,
    }
    return body | kw


async def test_interviews(client: httpx.AsyncClient, world: World) -> None:
    acc = (
        await client.post(
            "/api/v1/accidents", json=accident(world, deaths=3), headers=world.headers("office")
        )
    ).json()
    resp = await client.post(
        "/api/v1/interviews",
        json=interview(world, accident_id=acc["id"]),
        headers=world.headers("office"),
    )
    assert resp.status_code == 201, resp.text
    assert resp.json()["accident_id"] == acc["id"]
    assert resp.json()["reported_to_district"] is True
    other = await client.post(
        "/api/v1/interviews", json=interview(world, "E2"), headers=world.headers("office")
    )
    # An accident of another enterprise cannot be linked.
    bad = await client.post(
        "/api/v1/interviews",
        json=interview(world, "E2", accident_id=acc["id"]),
        headers=world.headers("office"),
    )
    assert_problem(bad, 422, "unknown_accident")
    listed = await client.get("/api/v1/interviews", headers=world.headers("head1"))
    assert [i["id"] for i in listed.json()["items"]] == [resp.json()["id"]]
    assert_problem(
        await client.get(
            f"/api/v1/interviews/{other.json()['id']}", headers=world.headers("head1")
        ),
        404,
    )
    got = await client.get(
        f"/api/v1/interviews/{resp.json()['id']}", headers=world.headers("head1")
    )
    assert got.json()["person_name"] == "王五"
    assert_problem(
        await client.post(
            "/api/v1/interviews", json=interview(world), headers=world.headers("head1")
        ),
        403,
    )
    year = await client.get(
        "/api/v1/interviews", params={"year": 2024}, headers=world.headers("office")
    )
    assert year.json()["items"] == []


async def test_interview_linked_hazard_must_be_the_enterprises(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    h1 = await add_hazard(db, world, "E1")
    office = world.headers("office")
    ok = await client.post(
        "/api/v1/interviews", json=interview(world, hazard_id=str(h1)), headers=office
    )
    assert ok.status_code == 201, ok.text
    assert ok.json()["hazard_id"] == str(h1)
    bad = await client.post(
        "/api/v1/interviews", json=interview(world, "E2", hazard_id=str(h1)), headers=office
    )
    assert_problem(bad, 422, "unknown_hazard")
    bad = await client.post(
        "/api/v1/interviews", json=interview(world, hazard_id=str(uuid.uuid4())), headers=office
    )
    assert_problem(bad, 422, "unknown_hazard")
