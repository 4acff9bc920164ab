"""Hazard ledger: create, read, list filters, scope, history, idempotency (issue 4)."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.api.hazard_helpers import API, PLAN_GENERAL, act, major, new_hazard, yesterday
from tests.conftest import World, assert_problem


async def test_create_general_by_grid_staff(client: httpx.AsyncClient, world: World) -> None:
    h = await new_hazard(client, world, "grid1", location="二车间", hazard_type="unsafe_condition")
    assert re.fullmatch(r"YYL-\d{4}-\d{6}", h["ledger_no"])
    assert (h["status"], h["level"], h["source"]) == ("reported", "general", "grid_patrol")
    assert h["basis"]["item_codes"] == []
    assert (h["overdue"], h["days_overdue"], h["deadline"]) == (False, 0, None)
    assert h["found_by_role"] == "grid_staff"
    assert "plan" in h["allowed_actions"]


async def test_item_codes_make_major_and_bad_code_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await major(client, world)
    assert h["level"] == "major"
    assert h["basis"]["item_codes"] == ["3.1"]
    assert h["basis"]["standard_version"] == "2023"
    # 4.1 applies to metallurgy only; E1 is machinery.
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "x",
        "category": "dust",
        "item_codes": ["4.1"],
    }
    resp = await client.post(API, json=body, headers=world.headers("grid1"))
    assert_problem(resp, 422, "invalid_item_codes")


async def test_manual_major_only_street_office(client: httpx.AsyncClient, world: World) -> None:
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "x",
        "category": "fire",
        "level": "major",
        "level_reason": "参照消防标准",
    }
    assert_problem(await client.post(API, json=body, headers=world.headers("grid1")), 403)
    resp = await client.post(API, json=body, headers=world.headers("office"))
    assert resp.status_code == 201
    assert resp.json()["basis"]["manual_reason"] == "参照消防标准"


async def test_scope_on_create_and_read(client: httpx.AsyncClient, world: World) -> None:
    body = {"enterprise_id": str(world.enterprises["E2"]), "description": "x", "category": "fire"}
    assert_problem(await client.post(API, json=body, headers=world.headers("head1")), 404)
    assert_problem(await client.post(API, json=body, headers=world.headers("grid1")), 404)
    assert_problem(await client.post(API, json=body, headers=world.headers("dashboard")), 403)
    h = await new_hazard(client, world, "head2", "E2")
    for who in ("head1", "grid1"):
        assert_problem(await client.get(f"{API}/{h['id']}", headers=world.headers(who)), 404)
        r = await client.get(f"{API}/{h['id']}/history", headers=world.headers(who))
        assert_problem(r, 404)
        r = await act(
            client, world, who, h["id"], "plan", {**PLAN_GENERAL, "deadline": "2099-01-01"}
        )
        assert_problem(r, 404)
    # The dashboard reads the overview only (tests/api/test_hazards_dashboard.py), never history.
    dash = world.headers("dashboard")
    assert_problem(await client.get(f"{API}/{h['id']}/history", headers=dash), 403)
    for who in ("head2", "grid2", "office"):
        assert (await client.get(f"{API}/{h['id']}", headers=world.headers(who))).status_code == 200


async def test_get_has_etag_and_history_starts_with_create(
    client: httpx.AsyncClient, world: World
) -> None:
    h = await new_hazard(client, world, "head1")
    resp = await client.get(f"{API}/{h['id']}", headers=world.headers("head1"))
    assert resp.headers["etag"] == f'"{h["version"]}"'
    hist = (await client.get(f"{API}/{h['id']}/history", headers=world.headers("head1"))).json()
    first = hist["items"][0]
    assert (first["seq"], first["action"], first["from_status"], first["to_status"]) == (
        1,
        "create",
        None,
        "reported",
    )


async def test_client_id_resend_and_conflict(client: httpx.AsyncClient, world: World) -> None:
    hid = str(uuid.uuid4())
    body = {
        "id": hid,
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "d",
        "category": "fire",
    }
    first = await client.post(API, json=body, headers=world.headers("grid1"))
    again = await client.post(API, json=body, headers=world.headers("grid1"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["ledger_no"] == first.json()["ledger_no"]
    listed = (await client.get(API, headers=world.headers("office"))).json()["items"]
    assert [i["id"] for i in listed] == [hid]
    other = {**body, "description": "另一条"}
    assert_problem(await client.post(API, json=other, headers=world.headers("grid1")), 409)


async def test_idempotency_key_replay_and_reuse(client: httpx.AsyncClient, world: World) -> None:
    body = {"enterprise_id": str(world.enterprises["E1"]), "description": "d", "category": "fire"}
    hdr = {**world.headers("head1"), "Idempotency-Key": "k-1"}
    a = await client.post(API, json=body, headers=hdr)
    b = await client.post(API, json=body, headers=hdr)
    assert a.status_code == 201
    assert b.json()["id"] == a.json()["id"]
    assert b.headers.get("idempotent-replayed") == "true"
    resp = await client.post(API, json={**body, "description": "e"}, headers=hdr)
    assert_problem(resp, 422, "idempotency_key_reused")
    listed = (await client.get(API, headers=world.headers("office"))).json()["items"]
    assert len(listed) == 1


async def test_bad_input_names_field(client: httpx.AsyncClient, world: World) -> None:
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "d",
        "category": "nonsense",
    }
    prob = assert_problem(await client.post(API, json=body, headers=world.headers("head1")), 422)
    assert ["body", "category"] in [e["loc"] for e in prob["errors"]]  # type: ignore[union-attr]
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "a\x00b",
        "category": "fire",
    }
    assert_problem(await client.post(API, json=body, headers=world.headers("head1")), 422)
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "description": "d",
        "category": "fire",
        "source": "public_report",
    }
    assert_problem(await client.post(API, json=body, headers=world.headers("office")), 422)


async def test_list_filters_and_keyset(client: httpx.AsyncClient, world: World) -> None:
    g = await new_hazard(client, world, "grid1")
    m = await major(client, world)
    e2 = await new_hazard(client, world, "head2", "E2", category="dust")
    off = world.headers("office")

    async def ids(**params: object) -> list[str]:
        resp = await client.get(API, params=params, headers=off)
        assert resp.status_code == 200, resp.text
        return [i["id"] for i in resp.json()["items"]]

    assert await ids() == [e2["id"], m["id"], g["id"]]  # newest first
    assert await ids(level="major") == [m["id"]]
    assert await ids(grid_id=str(world.grids["G2"])) == [e2["id"]]
    assert await ids(enterprise_id=str(world.enterprises["E1"])) == [m["id"], g["id"]]
    assert await ids(category="dust") == [e2["id"]]
    assert await ids(source="self_check") == [e2["id"]]
    assert await ids(status="reported", supervised=False) == [e2["id"], m["id"], g["id"]]
    assert await ids(q=g["ledger_no"]) == [g["id"]]
    assert await ids(found_from=yesterday()) == [e2["id"], m["id"], g["id"]]
    assert await ids(found_to=yesterday()) == []
    # An inverted range is empty (not a 500); the boundary type's edges are accepted, dates
    # past them (where date arithmetic overflows) are a 422 (issue 10).
    assert await ids(found_from=yesterday(), found_to="2000-01-01") == []
    assert await ids(found_from="1900-01-01", found_to="2100-12-31") == [e2["id"], m["id"], g["id"]]
    assert await ids(found_to="1900-01-01") == []
    for edge in ({"found_from": "0001-01-01"}, {"found_to": "9999-12-31"}):
        resp = await client.get(API, params=edge, headers=off)
        assert resp.status_code == 422, resp.text
    page1 = (await client.get(API, params={"limit": 2}, headers=off)).json()
    page2 = (
        await client.get(API, params={"limit": 2, "cursor": page1["next_cursor"]}, headers=off)
    ).json()
    assert [i["id"] for i in page1["items"] + page2["items"]] == [e2["id"], m["id"], g["id"]]
    assert page2["next_cursor"] is None
    # Scope: grid1 sees only G1's hazards.
    mine = (await client.get(API, headers=world.headers("grid1"))).json()["items"]
    assert {i["id"] for i in mine} == {g["id"], m["id"]}
    assert_problem(await client.get(API, params={"cursor": "!!"}, headers=off), 422)
