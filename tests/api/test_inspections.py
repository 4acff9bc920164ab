"""Inspections (issue 3): who files what, item validation, fail → major hazard, offline re-sends,
principal checks (plan §三(三)4), check-in distance."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.audit import AuditLog
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.inspection import Inspection
from app.models.user import Role
from tests.api.test_standards import expected_codes
from tests.conftest import World, add_enterprise, add_user, assert_problem

URL = "/api/v1/inspections"
T0 = "2026-11-20T09:00:00+08:00"


def body(world: World, ent: str = "E1", kind: str = "self_check", **kw: Any) -> dict[str, Any]:
    return {"enterprise_id": str(world.enterprises[ent]), "kind": kind, "started_at": T0, **kw}


async def post(
    client: httpx.AsyncClient, world: World, who: str, payload: dict[str, Any]
) -> httpx.Response:
    return await client.post(URL, json=payload, headers=world.headers(who))


async def hazard_count(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Hazard)) or 0)


async def set_enterprise(db: AsyncSession, world: World, name: str, **fields: Any) -> None:
    ent = await db.get(Enterprise, world.enterprises[name])
    assert ent is not None
    for k, v in fields.items():
        setattr(ent, k, v)
    await db.commit()


async def test_failed_items_become_major_hazards(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    responses = [
        {"item_code": "3.1", "result": "pass"},
        {"item_code": "7.1", "result": "fail", "note": "休息室在浇注跨内"},
        {"item_code": "7.4", "result": "fail", "device_failed": True},
        {"item_code": "3.2", "result": "na"},
    ]
    resp = await post(client, world, "head1", body(world, responses=responses))
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert len(out["hazard_ids"]) == 2
    assert out["coverage"] == {
        "answered": 4,
        "applicable": len(expected_codes("machinery", set())),
    }
    assert out["standard_version"] == "2023"
    by_code = {r["item_code"]: r for r in out["responses"]}
    assert by_code["3.1"]["hazard_id"] is None
    assert by_code["3.2"]["hazard_id"] is None
    assert [by_code["7.1"]["hazard_id"], by_code["7.4"]["hazard_id"]] == out["hazard_ids"]

    rows = {
        h.basis["item_codes"][0]: h
        for h in await db.scalars(
            select(Hazard).where(Hazard.inspection_id == uuid.UUID(out["id"]))
        )
    }
    assert set(rows) == {"7.1", "7.4"}
    for code, articles, device in (("7.1", [7], False), ("7.4", [7, 14], True)):
        h = rows[code]
        assert (h.level, h.status, h.source) == ("major", "reported", "self_check")
        assert h.enterprise_id == world.enterprises["E1"]
        assert h.basis == {
            "standard_version": "2023",
            "item_codes": [code],
            "articles": articles,
            "manual_reason": None,
            "device_failed": device,
        }
        assert str(h.id) == by_code[code]["hazard_id"]
    assert "休息室在浇注跨内" in rows["7.1"].description
    assert rows["7.1"].description.startswith("【7.1】")
    audit = await db.scalar(
        select(AuditLog).where(
            AuditLog.object_type == "inspection", AuditLog.object_id == out["id"]
        )
    )
    assert audit is not None
    assert audit.action == "create"


async def test_pass_and_na_create_nothing(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    responses = [{"item_code": c, "result": r} for c, r in (("3.1", "pass"), ("7.2", "na"))]
    resp = await post(client, world, "grid1", body(world, kind="grid_patrol", responses=responses))
    assert resp.status_code == 201, resp.text
    assert resp.json()["hazard_ids"] == []
    assert await hazard_count(db) == 0


async def test_empty_visit_is_allowed(client: httpx.AsyncClient, world: World) -> None:
    resp = await post(client, world, "office", body(world, "E2", kind="assistance"))
    assert resp.status_code == 201, resp.text
    assert resp.json()["coverage"]["answered"] == 0
    assert resp.json()["quiz_pass_rate"] is None


async def test_offline_resend(client: httpx.AsyncClient, db: AsyncSession, world: World) -> None:
    iid = str(uuid.uuid4())
    payload = body(world, id=iid, responses=[{"item_code": "7.2", "result": "fail"}])
    first = await post(client, world, "head1", payload)
    assert first.status_code == 201, first.text
    assert await hazard_count(db) == 1
    # The same inspection again, the time written in UTC instead of +08:00: same body.
    again = await post(client, world, "head1", {**payload, "started_at": "2026-11-20T01:00:00Z"})
    assert again.status_code == 200, again.text
    assert again.json() == first.json()
    assert await hazard_count(db) == 1
    # A street-office reader of the same id gets it too (no new hazard either).
    assert (await post(client, world, "office", payload)).status_code == 200
    assert await hazard_count(db) == 1
    changed = {**payload, "responses": [{"item_code": "7.2", "result": "pass"}]}
    assert_problem(await post(client, world, "head1", changed), 409, "id_conflict")
    assert await hazard_count(db) == 1
    # Someone who cannot see it learns nothing but "taken".
    other = body(world, "E2", id=iid)
    assert_problem(await post(client, world, "head2", other), 409, "id_conflict")


async def test_tobacco_cannot_cite_metallurgy_item(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    await add_enterprise(db, world, "T", "G1", sector="tobacco")
    await db.commit()
    responses = [
        {"item_code": "10.1", "result": "fail"},
        {"item_code": "4.1", "result": "fail"},
        {"item_code": "3.4", "result": "pass"},
    ]
    resp = await post(client, world, "grid1", body(world, "T", "grid_patrol", responses=responses))
    problem = assert_problem(resp, 422, "invalid_item_codes")
    assert problem["item_codes"] == ["4.1", "3.4"]
    errors: list[dict[str, Any]] = problem["errors"]  # type: ignore[assignment]
    assert [(e["loc"], e["type"]) for e in errors] == [
        (["body", "responses", 1, "item_code"], "item_not_applicable"),
        (["body", "responses", 2, "item_code"], "unknown_item_code"),
    ]
    assert "4.1" in str(problem["detail"])
    assert "3.4" in str(problem["detail"])
    assert await hazard_count(db) == 0
    assert await db.scalar(select(func.count()).select_from(Inspection)) == 0


async def test_feature_items_need_the_feature(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    bad = body(world, responses=[{"item_code": "11.3", "result": "fail"}])
    assert_problem(await post(client, world, "head1", bad), 422, "invalid_item_codes")
    await set_enterprise(db, world, "E1", features=["dust_explosion"])
    resp = await post(client, world, "head1", bad)
    assert resp.status_code == 201, resp.text
    h = await db.get(Hazard, uuid.UUID(resp.json()["hazard_ids"][0]))
    assert h is not None
    assert h.category == "dust"
    assert resp.json()["coverage"]["applicable"] == len(
        expected_codes("machinery", {"dust_explosion"})
    )


@pytest.mark.parametrize(
    ("who", "ent", "kind", "status"),
    [
        ("head1", "E1", "self_check", 201),
        ("head1", "E2", "self_check", 404),
        ("head1", "E1", "grid_patrol", 403),
        ("head1", "E1", "enforcement", 403),
        ("grid1", "E1", "grid_patrol", 201),
        ("grid1", "E2", "grid_patrol", 404),
        ("grid2", "E1", "grid_patrol", 404),
        ("grid1", "E1", "self_check", 403),
        ("office", "E2", "enforcement", 201),
        ("office", "E1", "grid_patrol", 201),
        ("dashboard", "E1", "self_check", 403),
    ],
)
async def test_who_files_what(
    client: httpx.AsyncClient, world: World, who: str, ent: str, kind: str, status: int
) -> None:
    resp = await post(client, world, who, body(world, ent, kind))
    if status == 201:
        assert resp.status_code == 201, resp.text
    else:
        assert_problem(resp, status)


async def test_unknown_enterprise_is_404(client: httpx.AsyncClient, world: World) -> None:
    payload = {**body(world), "enterprise_id": str(uuid.uuid4())}
    assert_problem(await post(client, world, "office", payload), 404)
    assert_problem(await client.post(URL, json=body(world)), 401)


QUIZ = [
    {"person": "操作工李四", "question": "粉尘清理制度是什么？", "passed": True},
    {"person": "班组长王五", "question": "第十一条有哪几项？", "passed": False},
]


async def test_principal_check_by_head(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    await set_enterprise(db, world, "E1", principal_name="张三")
    no_quiz = body(world, kind="principal_check")
    problem = assert_problem(await post(client, world, "head1", no_quiz), 422)
    assert problem["code"] == "principal_check_invalid"
    assert "§三(三)4" in str(problem["detail"])
    errors: list[dict[str, Any]] = problem["errors"]  # type: ignore[assignment]
    assert [e["loc"] for e in errors] == [["body", "quiz"]]
    wrong_leader = body(world, kind="principal_check", quiz=QUIZ, led_by="安全员赵六")
    assert_problem(await post(client, world, "head1", wrong_leader), 422, "principal_check_invalid")

    resp = await post(client, world, "head1", body(world, kind="principal_check", quiz=QUIZ))
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert out["led_by"] == "张三"
    assert out["quiz_pass_rate"] == 0.5
    assert out["quiz"] == QUIZ


@pytest.mark.parametrize(
    ("principal", "led_by", "ok", "error_type"),
    [
        ("张三", None, False, "led_by_required"),
        ("张三", "李四", False, "not_led_by_principal"),
        (None, "张三", False, "principal_not_recorded"),
        ("张 三", "张三", True, None),
    ],
)
async def test_principal_check_by_street_office(
    client: httpx.AsyncClient,
    db: AsyncSession,
    world: World,
    principal: str | None,
    led_by: str | None,
    ok: bool,
    error_type: str | None,
) -> None:
    await set_enterprise(db, world, "E2", principal_name=principal)
    extra = {"led_by": led_by} if led_by else {}
    resp = await post(
        client, world, "office", body(world, "E2", "principal_check", quiz=QUIZ[:1], **extra)
    )
    if ok:
        assert resp.status_code == 201, resp.text
        assert resp.json()["quiz_pass_rate"] == 1.0
        return
    problem = assert_problem(resp, 422, "principal_check_invalid")
    errors: list[dict[str, Any]] = problem["errors"]  # type: ignore[assignment]
    assert [e["type"] for e in errors] == [error_type]


async def test_checkin_distance(client: httpx.AsyncClient, db: AsyncSession, world: World) -> None:
    no_coords = await post(
        client, world, "head1", body(world, checkin={"latitude": 31.2, "longitude": 121.4})
    )
    assert no_coords.status_code == 201, no_coords.text
    assert no_coords.json()["checkin_distance_m"] is None
    assert no_coords.json()["far_from_site"] is None
    assert no_coords.json()["checkin"] == {"latitude": 31.2, "longitude": 121.4, "accuracy_m": None}

    await set_enterprise(db, world, "E1", latitude=31.0, longitude=121.0)
    near = {"latitude": 31.0 + 0.003, "longitude": 121.0, "accuracy_m": 15}  # ≈ 334 m
    far = {"latitude": 31.0 + 0.006, "longitude": 121.0}  # ≈ 667 m
    resp = await post(client, world, "head1", body(world, checkin=near))
    assert resp.json()["checkin_distance_m"] == pytest.approx(333.6, abs=1)
    assert resp.json()["far_from_site"] is False
    resp = await post(client, world, "head1", body(world, checkin=far))
    assert resp.json()["checkin_distance_m"] == pytest.approx(667.2, abs=1)
    assert resp.json()["far_from_site"] is True
    assert (await post(client, world, "head1", body(world))).json()["checkin"] is None


@pytest.mark.parametrize(
    ("change", "loc"),
    [
        ({"responses": [{"item_code": "3.1", "result": "pass"}] * 2}, "responses"),
        (
            {"responses": [{"item_code": "3.1", "result": "pass", "device_failed": True}]},
            "responses",
        ),
        ({"responses": [{"item_code": "3.1", "result": "maybe"}]}, "responses"),
        ({"responses": [{"item_code": "三.1", "result": "pass"}]}, "responses"),
        ({"kind": "audit"}, "kind"),
        ({"started_at": "2026-11-20T09:00:00"}, "started_at"),
        ({"finished_at": "2026-11-19T09:00:00+08:00"}, "body"),
        ({"status": "closed"}, "status"),
        ({"quiz": [{"person": "", "question": "q", "passed": True}]}, "quiz"),
        ({"checkin": {"latitude": 91, "longitude": 121}}, "checkin"),
        ({"note": "a\x00b"}, "note"),
    ],
)
async def test_bad_input(
    client: httpx.AsyncClient, db: AsyncSession, world: World, change: dict[str, Any], loc: str
) -> None:
    resp = await post(client, world, "office", {**body(world), **change})
    problem = assert_problem(resp, 422)
    errors: list[dict[str, Any]] = problem["errors"]  # type: ignore[assignment]
    assert any(loc in e["loc"] for e in errors), errors
    assert await db.scalar(select(func.count()).select_from(Inspection)) == 0


async def test_read_and_list_scoped(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    await add_enterprise(db, world, "E3", "G1")
    await add_user(db, world, "head3", Role.enterprise_head, enterprise="E3")
    await db.commit()
    made: dict[str, str] = {}
    for who, ent, kind, start in (
        ("head1", "E1", "self_check", "2026-11-01T09:00:00+08:00"),
        ("grid1", "E3", "grid_patrol", "2026-11-02T09:00:00+08:00"),
        ("office", "E2", "enforcement", "2026-11-03T09:00:00+08:00"),
        ("office", "E1", "enforcement", "2026-11-04T09:00:00+08:00"),
    ):
        resp = await post(client, world, who, {**body(world, ent, kind), "started_at": start})
        assert resp.status_code == 201, resp.text
        made[f"{ent}-{kind}"] = resp.json()["id"]

    async def ids(who: str, **params: str) -> list[str]:
        resp = await client.get(URL, params=params, headers=world.headers(who))
        assert resp.status_code == 200, resp.text
        return [i["id"] for i in resp.json()["items"]]

    newest_first = ("E1-enforcement", "E2-enforcement", "E3-grid_patrol", "E1-self_check")
    assert await ids("office") == [made[k] for k in newest_first]
    assert await ids("head1") == [made["E1-enforcement"], made["E1-self_check"]]
    assert await ids("head3") == [made["E3-grid_patrol"]]
    assert set(await ids("grid1")) == {made[k] for k in made if not k.startswith("E2")}
    assert await ids("grid2") == [made["E2-enforcement"]]
    assert await ids("office", kind="enforcement", enterprise_id=str(world.enterprises["E1"])) == [
        made["E1-enforcement"]
    ]
    assert await ids(
        "office", **{"from": "2026-11-02T00:00:00+08:00", "to": "2026-11-04T00:00:00+08:00"}
    ) == [made["E2-enforcement"], made["E3-grid_patrol"]]
    # keyset pages
    page1 = (await client.get(URL, params={"limit": 3}, headers=world.headers("office"))).json()
    assert len(page1["items"]) == 3
    assert page1["next_cursor"]
    page2 = await client.get(
        URL, params={"limit": 3, "cursor": page1["next_cursor"]}, headers=world.headers("office")
    )
    assert [i["id"] for i in page2.json()["items"]] == [made["E1-self_check"]]
    assert page2.json()["next_cursor"] is None

    one = made["E2-enforcement"]
    assert (await client.get(f"{URL}/{one}", headers=world.headers("grid2"))).status_code == 200
    for who in ("head1", "grid1", "head3"):
        assert_problem(await client.get(f"{URL}/{one}", headers=world.headers(who)), 404)
    assert_problem(await client.get(URL, headers=world.headers("dashboard")), 403)
    assert_problem(await client.get(f"{URL}/{one}", headers=world.headers("dashboard")), 403)
    assert_problem(await client.get(f"{URL}/{uuid.uuid4()}", headers=world.headers("office")), 404)
    assert_problem(
        await client.get(URL, params={"kind": "x"}, headers=world.headers("office")), 422
    )
    assert_problem(
        await client.get(URL, params={"from": "2026-11-01"}, headers=world.headers("office")), 422
    )


async def test_photos(client: httpx.AsyncClient, db: AsyncSession, world: World) -> None:
    from tests.api.test_uploads import png_with_gps, upload

    mine = [(await upload(client, world, "head1", png_with_gps())).json()["id"] for _ in "ab"]
    foreign = (await upload(client, world, "grid2", png_with_gps())).json()["id"]
    responses = [
        {"item_code": "3.1", "result": "pass", "photo_ids": [mine[0]]},
        {"item_code": "7.2", "result": "fail", "photo_ids": [mine[1]]},
    ]
    for bad in (foreign, str(uuid.uuid4())):
        wrong = [responses[0], {**responses[1], "photo_ids": [mine[1], bad]}]
        problem = assert_problem(
            await post(client, world, "head1", body(world, responses=wrong)),
            422,
            "photo_not_attachable",
        )
        errors: list[dict[str, Any]] = problem["errors"]  # type: ignore[assignment]
        assert errors[0]["loc"] == ["body", "responses", 1, "photo_ids", 1]
    assert await hazard_count(db) == 0
    resp = await post(client, world, "head1", body(world, responses=responses))
    assert resp.status_code == 201, resp.text
    out = resp.json()
    assert [r["photo_ids"] for r in out["responses"]] == [[mine[0]], [mine[1]]]
    hz = await client.get(f"/api/v1/hazards/{out['hazard_ids'][0]}", headers=world.headers("head1"))
    assert mine[1] in str(hz.json())
