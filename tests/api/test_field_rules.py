"""Field-level rules (issue 10 finding 12): the plan horizon, hazard source by role, and
drill photos that must be the caller's or the enterprise's."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from app.rules.calendar import today_in_shanghai
from tests.api.hazard_helpers import API, PLAN_GENERAL, PLAN_MAJOR, act, major, new_hazard
from tests.api.test_records import drill_body
from tests.api.test_uploads import png_with_gps, upload
from tests.conftest import World, assert_problem


def _days(n: int) -> str:
    return (today_in_shanghai() + timedelta(days=n)).isoformat()


async def test_plan_deadline_within_the_horizon(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "head1")
    # Past the calendar's sane range the boundary type refuses it; inside it, the horizon rule.
    for far, code in (("9999-12-31", "validation_error"), (_days(366), "deadline_too_far")):
        resp = await act(client, world, "head1", h["id"], "plan", {**PLAN_GENERAL, "deadline": far})
        body = assert_problem(resp, 422, code)
        assert body["errors"][0]["loc"] == ["body", "deadline"]  # type: ignore[index]
    ok = await act(
        client, world, "head1", h["id"], "plan", {**PLAN_GENERAL, "deadline": _days(365)}
    )
    assert ok.status_code == 200, ok.text


async def test_only_the_street_office_extends_past_the_horizon(
    client: httpx.AsyncClient, world: World
) -> None:
    m = await major(client, world)
    r = await act(client, world, "head1", m["id"], "plan", {**PLAN_MAJOR, "deadline": _days(30)})
    assert r.status_code == 200, r.text
    ext = await act(
        client,
        world,
        "office",
        m["id"],
        "extend",
        {"new_deadline": _days(500), "reason": "整改工程量大"},
    )
    assert ext.status_code == 200, ext.text
    assert ext.json()["deadline"] == _days(500)
    # A general hazard's verifier (here the grid) stays within the horizon.
    g = await new_hazard(client, world, "grid1")
    r = await act(client, world, "head1", g["id"], "plan", {**PLAN_GENERAL, "deadline": _days(30)})
    assert r.status_code == 200, r.text
    too_far = await act(
        client,
        world,
        "grid1",
        g["id"],
        "extend",
        {"new_deadline": _days(400), "reason": "等待配件"},
    )
    assert_problem(too_far, 422, "deadline_too_far")


@pytest.mark.parametrize(
    ("who", "source", "status"),
    [
        ("head1", "enforcement", 403),
        ("head1", "grid_patrol", 403),
        ("head1", "self_check", 201),
        ("head1", "principal_check", 201),
        ("grid1", "enforcement", 403),
        ("grid1", "self_check", 403),
        ("grid1", "grid_patrol", 201),
        ("office", "enforcement", 201),
        ("office", "grid_patrol", 201),
    ],
)
async def test_hazard_source_follows_the_role(
    client: httpx.AsyncClient, world: World, who: str, source: str, status: int
) -> None:
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "消防通道堵塞",
        "category": "fire",
        "source": source,
    }
    resp = await client.post(API, json=body, headers=world.headers(who))
    if status == 403:
        assert_problem(resp, 403, "hazard_source_forbidden")
    else:
        assert resp.status_code == 201, resp.text
        assert resp.json()["source"] == source


async def test_drill_photos_must_belong_to_the_caller(
    client: httpx.AsyncClient, world: World
) -> None:
    url = f"/api/v1/enterprises/{world.enterprises['E1']}/drills"
    theirs = (await upload(client, world, "head2", png_with_gps())).json()["id"]
    unknown = "00000000-0000-4000-8000-000000000001"
    for bad in (theirs, unknown):
        resp = await client.post(
            url, json=drill_body(photo_ids=[bad]), headers=world.headers("head1")
        )
        body = assert_problem(resp, 422, "photo_not_attachable")
        assert body["errors"][0]["loc"] == ["body", "photo_ids", 0]  # type: ignore[index]
    mine = (await upload(client, world, "head1", png_with_gps())).json()["id"]
    ok = await client.post(url, json=drill_body(photo_ids=[mine]), headers=world.headers("head1"))
    assert ok.status_code == 201, ok.text
    # Attached to E1's drill, the photo is visible to whoever sees E1 — the office too.
    for who in ("office", "head1", "grid1"):
        got = await client.get(f"/api/v1/uploads/{mine}", headers=world.headers(who))
        assert got.status_code == 200, who
    assert_problem(await client.get(f"/api/v1/uploads/{mine}", headers=world.headers("head2")), 404)
