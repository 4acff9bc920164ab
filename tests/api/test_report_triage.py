"""Staff side of public reports (issue 5): scope, triage once, duplicates, rewards, photos."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.models.hazard import Hazard, HazardPhoto
from app.models.public_report import PublicUpload
from app.models.upload import Upload
from tests.api.public_helpers import PUB, jpeg_with_gps, new_report, post_report, upload
from tests.conftest import World, assert_problem

R = "/api/v1/reports"


@pytest.fixture(autouse=True)
def _generous_limits(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests post many reports from one test client; abuse limits have their own tests.
    monkeypatch.setattr(settings, "public_report_limit", "1000/hour")


async def _triage(
    client: httpx.AsyncClient, world: World, who: str, rid: str, **body: Any
) -> httpx.Response:
    return await client.post(f"{R}/{rid}/triage", json=body, headers=world.headers(who))


async def test_scope_by_grid_and_forbidden_roles(client: httpx.AsyncClient, world: World) -> None:
    office = world.headers("office")
    e1 = await new_report(client, office, enterprise_name="测试企业E1")
    e2 = await new_report(client, office, enterprise_name="测试企业E2")
    loose = await new_report(client, office)
    lists: dict[str, set[str]] = {}
    for who in ("office", "grid1", "grid2"):
        resp = await client.get(R, headers=world.headers(who))
        assert resp.status_code == 200
        lists[who] = {i["id"] for i in resp.json()["items"]}
    assert lists["office"] == {e1["id"], e2["id"], loose["id"]}
    assert lists["grid1"] == {e1["id"]}
    assert lists["grid2"] == {e2["id"]}
    assert (await client.get(f"{R}/{e1['id']}", headers=world.headers("grid1"))).status_code == 200
    for rid in (e2["id"], loose["id"], str(uuid.uuid4())):
        assert_problem(await client.get(f"{R}/{rid}", headers=world.headers("grid1")), 404)
        assert_problem(
            await _triage(client, world, "grid1", rid, decision="invalid", note="x"), 404
        )
    for who in ("head1", "head2", "dashboard"):
        assert_problem(await client.get(R, headers=world.headers(who)), 403)
        assert_problem(await client.get(f"{R}/{e1['id']}", headers=world.headers(who)), 403)
        assert_problem(
            await _triage(client, world, who, e1["id"], decision="invalid", note="x"), 403
        )
    assert_problem(await client.get(R), 401)
    unmatched = await client.get(R, params={"unmatched": "true"}, headers=office)
    assert [i["id"] for i in unmatched.json()["items"]] == [loose["id"]]


async def test_list_pages_and_filters(client: httpx.AsyncClient, world: World) -> None:
    office = world.headers("office")
    for _ in range(3):
        await post_report(client)
    first = await client.get(R, params={"limit": 2}, headers=office)
    assert len(first.json()["items"]) == 2
    second = await client.get(
        R, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=office
    )
    assert len(second.json()["items"]) == 1
    assert second.json()["next_cursor"] is None
    pending = await client.get(R, params={"outcome": "pending"}, headers=office)
    assert len(pending.json()["items"]) == 3
    assert_problem(await client.get(R, params={"outcome": "maybe"}, headers=office), 422)
    assert_problem(await client.get(R, params={"cursor": "!!"}, headers=office), 422)


async def test_accept_carries_photos_and_uses_the_rules(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    office = world.headers("office")
    photos = [(await upload(client, jpeg_with_gps((20 + i, 20)))).json()["id"] for i in range(2)]
    report = await new_report(client, office, photo_ids=photos)
    # Unmatched: the enterprise must be named.
    assert_problem(
        await _triage(client, world, "office", report["id"], decision="accept"),
        422,
        "enterprise_required",
    )
    resp = await _triage(
        client,
        world,
        "office",
        report["id"],
        decision="accept",
        enterprise_id=str(world.enterprises["E1"]),
        item_codes=["3.1"],
        category="management",
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["outcome"] == "accepted"
    assert body["status"] == "triaged"
    assert body["enterprise_id"] == str(world.enterprises["E1"])
    hazard = await db.get(Hazard, uuid.UUID(body["hazard_id"]))
    assert hazard is not None
    assert hazard.level == "major"
    assert hazard.basis["item_codes"] == ["3.1"]
    assert hazard.category == "management"
    links = (await db.scalars(select(HazardPhoto).where(HazardPhoto.hazard_id == hazard.id))).all()
    assert len(links) == 2
    staff_uploads = {u.id: u for u in await db.scalars(select(Upload))}
    public = {u.sha256 for u in await db.scalars(select(PublicUpload))}
    assert {staff_uploads[link.upload_id].sha256 for link in links} == public
    # Triage is once.
    again = await _triage(client, world, "office", report["id"], decision="invalid", note="再次")
    assert_problem(again, 409, "already_triaged")


async def test_accept_rules_refusals(client: httpx.AsyncClient, world: World) -> None:
    office = world.headers("office")
    report = await new_report(client, office, enterprise_name="测试企业E1")
    rid = report["id"]
    foreign = await _triage(
        client, world, "grid1", rid, decision="accept", enterprise_id=str(world.enterprises["E2"])
    )
    assert_problem(foreign, 422, "unknown_enterprise")
    manual = await _triage(
        client, world, "grid1", rid, decision="accept", level="major", level_reason="严重"
    )
    assert_problem(manual, 403)
    bad_item = await _triage(client, world, "grid1", rid, decision="accept", item_codes=["99.9"])
    assert_problem(bad_item, 422, "invalid_item_codes")
    ok = await _triage(client, world, "grid1", rid, decision="accept")
    assert ok.status_code == 200, ok.text
    hazard = await client.get(
        f"/api/v1/hazards/{ok.json()['hazard_id']}", headers=world.headers("head1")
    )
    assert hazard.status_code == 200
    assert hazard.json()["level"] == "general"


async def test_duplicate_and_invalid(client: httpx.AsyncClient, world: World) -> None:
    office = world.headers("office")
    first = await new_report(client, office, enterprise_name="测试企业E1")
    second = await new_report(client, office, enterprise_name="测试企业E1")
    third = await new_report(client, office, enterprise_name="测试企业E1")
    other = await new_report(client, office, enterprise_name="测试企业E2")
    rid = second["id"]
    assert_problem(
        await _triage(client, world, "grid1", rid, decision="duplicate"),
        422,
        "duplicate_of_required",
    )
    assert_problem(
        await _triage(client, world, "grid1", rid, decision="duplicate", duplicate_of=rid), 422
    )
    # A report the caller cannot see is no target.
    hidden = await _triage(
        client, world, "grid1", rid, decision="duplicate", duplicate_of=other["id"]
    )
    assert_problem(hidden, 422, "unknown_duplicate_of")
    ok = await _triage(client, world, "grid1", rid, decision="duplicate", duplicate_of=first["id"])
    assert ok.status_code == 200, ok.text
    assert ok.json()["outcome"] == "duplicate"
    assert ok.json()["triage"]["duplicate_of_report_id"] == first["id"]
    accepted = await _triage(client, world, "grid1", first["id"], decision="accept")
    hazard_id = accepted.json()["hazard_id"]
    dup_h = await _triage(
        client, world, "office", third["id"], decision="duplicate", duplicate_of=hazard_id
    )
    assert dup_h.json()["triage"]["duplicate_of_hazard_id"] == hazard_id
    assert_problem(
        await _triage(client, world, "office", other["id"], decision="invalid"),
        422,
        "note_required",
    )
    assert_problem(
        await _triage(client, world, "office", other["id"], decision="invalid", note="   "), 422
    )
    inv = await _triage(
        client, world, "office", other["id"], decision="invalid", note="现场核实无此情况"
    )
    assert inv.json()["outcome"] == "invalid"
    status = await client.get(f"{PUB}/reports/{other['receipt_code']}")
    assert status.json()["outcome"] == "invalid"
    assert status.json()["hazard_status"] is None
    assert_problem(await _triage(client, world, "office", rid, decision="maybe"), 422)


async def test_possible_duplicates(client: httpx.AsyncClient, world: World) -> None:
    office = world.headers("office")
    a = await new_report(client, office, enterprise_name="测试企业E1")
    b = await new_report(client, office, enterprise_name="测试企业E1")
    c = await new_report(client, office, enterprise_name="测试企业E2")
    near1 = await new_report(client, office, latitude=31.40000, longitude=121.49000)
    near2 = await new_report(client, office, latitude=31.40030, longitude=121.49000)  # ~33 m
    far = await new_report(client, office, latitude=31.40200, longitude=121.49000)  # ~222 m
    accepted = await _triage(client, world, "office", a["id"], decision="accept")
    hazard_id = accepted.json()["hazard_id"]

    detail = (await client.get(f"{R}/{b['id']}", headers=office)).json()
    found = {(d["kind"], d["id"]) for d in detail["possible_duplicates"]}
    assert found == {("hazard", hazard_id), ("report", a["id"])}
    assert c["id"] not in {d["id"] for d in detail["possible_duplicates"]}

    detail = (await client.get(f"{R}/{near1['id']}", headers=office)).json()
    [dup] = detail["possible_duplicates"]
    assert dup["id"] == near2["id"]
    assert 30 < dup["distance_m"] < 36
    assert far["id"] not in {d["id"] for d in detail["possible_duplicates"]}
    # Grid staff only see candidates in their own grids.
    grid2 = (await client.get(f"{R}/{c['id']}", headers=world.headers("grid2"))).json()
    assert grid2["possible_duplicates"] == []


async def test_rewards(client: httpx.AsyncClient, world: World) -> None:
    office = world.headers("office")
    report = await new_report(
        client, office, enterprise_name="测试企业E1", contact_phone="13912345678", wants_reward=True
    )
    url = f"{R}/{report['id']}/reward"
    assert_problem(
        await client.post(url, json={"eligible": True, "amount": 100}, headers=office),
        409,
        "report_not_accepted",
    )
    await _triage(client, world, "grid1", report["id"], decision="accept")
    for who in ("grid1", "head1", "dashboard"):
        assert_problem(
            await client.post(url, json={"eligible": False}, headers=world.headers(who)), 403
        )
    assert_problem(
        await client.post(url, json={"eligible": True}, headers=office), 422, "amount_required"
    )
    assert_problem(
        await client.post(url, json={"eligible": True, "amount": -5}, headers=office), 422
    )
    assert_problem(
        await client.post(url, json={"eligible": False, "amount": 5}, headers=office), 422
    )
    ok = await client.post(
        url, json={"eligible": True, "amount": 300, "paid_on": "2026-12-01"}, headers=office
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["reward"]["eligible"] is True
    # One form for money: the OpenAPI schema of Reward.amount promises a string, a decimal
    # with two places (yuan and fen), in the answer to the write and in every later read.
    assert ok.json()["reward"]["amount"] == "300.00"
    again = await client.get(f"{R}/{report['id']}", headers=office)
    assert again.json()["reward"]["amount"] == "300.00"
    fen = await client.post(url, json={"eligible": True, "amount": "12.5"}, headers=office)
    assert fen.json()["reward"]["amount"] == "12.50"
    await client.post(
        url, json={"eligible": True, "amount": 300, "paid_on": "2026-12-01"}, headers=office
    )
    assert ok.json()["reward"]["paid_on"] == "2026-12-01"
    assert "13912345678" not in ok.text
    status = (await client.get(f"{PUB}/reports/{report['receipt_code']}")).json()
    assert status["reward_decided"] is True
    assert "300" not in str(status)


@pytest.mark.parametrize("who", ["office", "grid1"])
async def test_report_photo_scope(client: httpx.AsyncClient, world: World, who: str) -> None:
    office = world.headers("office")
    up = (await upload(client, jpeg_with_gps())).json()["id"]
    mine = await new_report(client, office, enterprise_name="测试企业E1", photo_ids=[up])
    up2 = (await upload(client, jpeg_with_gps((9, 9)))).json()["id"]
    theirs = await new_report(client, office, enterprise_name="测试企业E2", photo_ids=[up2])
    ok = await client.get(f"{R}/{mine['id']}/photos/{up}", headers=world.headers(who))
    assert ok.status_code == 200
    # A photo through a report it does not belong to is not found.
    assert_problem(
        await client.get(f"{R}/{mine['id']}/photos/{up2}", headers=world.headers(who)), 404
    )
    foreign = await client.get(f"{R}/{theirs['id']}/photos/{up2}", headers=world.headers(who))
    assert foreign.status_code == (200 if who == "office" else 404)
    assert_problem(
        await client.get(f"{R}/{mine['id']}/photos/{up}", headers=world.headers("head1")), 403
    )
