"""GET /enterprises/{id}/compliance: each rule met and not met at the Shanghai period edges."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.rules.calendar import today_in_shanghai
from tests.api.records_helpers import add_hazard, add_principal_check
from tests.conftest import World, add_enterprise, assert_problem

CODES = [
    "evacuation_drill",
    "principal_checks",
    "principal_quiz",
    "principal_training",
    "certificates_valid",
    "major_overdue",
    "major_zero",
    "standardization",
    "hazard_standard_training",
    "accident_followup",
]


async def checks(
    client: httpx.AsyncClient, world: World, ent: str, year: int | None = 2025
) -> dict[str, Any]:
    params = {"year": year} if year else {}
    resp = await client.get(
        f"/api/v1/enterprises/{world.enterprises[ent]}/compliance",
        params=params,
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    return {c["code"]: c for c in resp.json()["checks"]}


async def drill(
    client: httpx.AsyncClient, world: World, ent: str, held_on: str, kind: str = "evacuation"
) -> None:
    body = {"held_on": held_on, "kind": kind, "scenario": "疏散", "participants": 10}
    resp = await client.post(
        f"/api/v1/enterprises/{world.enterprises[ent]}/drills",
        json=body,
        headers=world.headers("office"),
    )
    assert resp.status_code == 201, resp.text


async def new_enterprise(db: AsyncSession, world: World, name: str, **kw: Any) -> None:
    await add_enterprise(db, world, name, "G1", **kw)
    await db.commit()


async def test_shape_and_scope(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/enterprises/{world.enterprises['E1']}/compliance"
    resp = await client.get(url, params={"year": 2025}, headers=world.headers("head1"))
    body = resp.json()
    assert body["year"] == 2025
    assert body["evaluated_on"] == "2025-12-31"
    assert [c["code"] for c in body["checks"]] == CODES
    for c in body["checks"]:
        assert isinstance(c["met"], bool)
        assert c["detail"]
        assert c["basis"]
    # A fresh enterprise meets nothing periodic; no hazards and no certificates are fine.
    got = {c["code"]: c["met"] for c in body["checks"]}
    assert got == dict.fromkeys(CODES, False) | {
        "certificates_valid": True,
        "major_overdue": True,
        "major_zero": True,
        # 方案 三(四)8 only guides enterprises to a grade: no grade is information (issue 14).
        "standardization": True,
        "accident_followup": True,
    }
    assert {c["code"]: c["status"] for c in body["checks"]}["standardization"] == "info"
    assert (await client.get(url, headers=world.headers("grid1"))).status_code == 200
    for who in ("head2", "grid2"):
        assert_problem(await client.get(url, headers=world.headers(who)), 404)
    assert_problem(await client.get(url, headers=world.headers("dashboard")), 403)
    assert_problem(
        await client.get(url, params={"year": 1999}, headers=world.headers("office")), 422
    )
    default = await client.get(url, headers=world.headers("office"))
    assert default.json()["year"] == today_in_shanghai().year


async def test_drill_once_a_year_at_year_edges(client: httpx.AsyncClient, world: World) -> None:
    await drill(client, world, "E1", "2024-12-31")
    await drill(client, world, "E1", "2025-06-01", kind="tabletop")  # not an evacuation drill
    c = (await checks(client, world, "E1"))["evacuation_drill"]
    assert c["met"] is False
    assert "2025年未开展疏散逃生演练" in c["detail"]
    assert (await checks(client, world, "E1", 2024))["evacuation_drill"]["met"] is True
    await drill(client, world, "E1", "2025-01-01")
    assert (await checks(client, world, "E1"))["evacuation_drill"]["met"] is True


async def test_drill_factory_in_factory_every_half_year(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    await new_enterprise(db, world, "F", features=["factory_in_factory"])
    await drill(client, world, "F", "2025-06-30")
    c = (await checks(client, world, "F"))["evacuation_drill"]
    assert c["met"] is False
    assert "下半年" in c["detail"]
    await drill(client, world, "F", "2025-07-01")
    assert (await checks(client, world, "F"))["evacuation_drill"]["met"] is True
    # Two drills in the second half do not make up for an empty first half.
    await new_enterprise(db, world, "F2", features=["factory_in_factory"])
    await drill(client, world, "F2", "2025-07-01")
    await drill(client, world, "F2", "2025-12-31")
    c = (await checks(client, world, "F2"))["evacuation_drill"]
    assert c["met"] is False
    assert "上半年" in c["detail"]


async def test_principal_checks_each_quarter_shanghai_edges(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    # 2025-01-01 00:00 Shanghai is still 2024 in UTC; it belongs to 2025 Q1.
    await add_principal_check(db, world, "E1", "2024-12-31T16:00:00+00:00")
    await add_principal_check(db, world, "E1", "2025-06-30T23:59:00+08:00")
    await add_principal_check(db, world, "E1", "2025-09-30T15:59:00+00:00")  # 23:59 Shanghai, Q3
    # 2026-01-01 00:00 Shanghai: not 2025's fourth quarter.
    await add_principal_check(db, world, "E1", "2025-12-31T16:00:00+00:00")
    got = await checks(client, world, "E1")
    assert got["principal_checks"]["met"] is False
    assert "第四季度" in got["principal_checks"]["detail"]
    assert "第一季度" not in got["principal_checks"]["detail"]
    assert got["principal_quiz"]["met"] is True
    await add_principal_check(db, world, "E1", "2025-12-31T23:59:59+08:00")
    got = await checks(client, world, "E1")
    assert got["principal_checks"]["met"] is True
    await add_principal_check(db, world, "E1", "2025-11-11T10:00:00+08:00", quiz=False)
    got = await checks(client, world, "E1")
    assert got["principal_quiz"]["met"] is False
    assert "1次没有考问记录" in got["principal_quiz"]["detail"]


async def test_metal_smelting_needs_a_check_every_month(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    await new_enterprise(db, world, "M", sector="metallurgy", features=["metal_smelting"])
    for month in range(1, 13):
        if month != 7:
            await add_principal_check(db, world, "M", f"2025-{month:02d}-01T00:00:00+08:00")
    c = (await checks(client, world, "M"))["principal_checks"]
    assert c["met"] is False
    assert "2025年7月" in c["detail"]
    # 1 July 00:00 Shanghai = 30 June 16:00 UTC: counts for July, not June.
    await add_principal_check(db, world, "M", "2025-06-30T16:00:00+00:00")
    assert (await checks(client, world, "M"))["principal_checks"]["met"] is True
    # The same four checks that satisfy an ordinary enterprise's quarters.
    for q in ("01", "04", "07", "10"):
        await add_principal_check(db, world, "E1", f"2025-{q}-15T10:00:00+08:00")
    assert (await checks(client, world, "E1"))["principal_checks"]["met"] is True


async def test_current_year_judges_only_begun_periods(
    client: httpx.AsyncClient, world: World, db: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.services.compliance as compliance

    monkeypatch.setattr(compliance, "today_in_shanghai", lambda: date(2025, 4, 1))
    await add_principal_check(db, world, "E1", "2025-02-01T10:00:00+08:00")
    got = await checks(client, world, "E1", None)
    assert got["principal_checks"]["met"] is False  # Q2 has begun and has no check yet
    assert "第二季度" in got["principal_checks"]["detail"]
    await add_principal_check(db, world, "E1", "2025-04-01T00:00:00+08:00")
    got = await checks(client, world, "E1", None)
    assert got["principal_checks"]["met"] is True  # Q3 and Q4 have not begun
    assert got["evacuation_drill"]["met"] is False
    await drill(client, world, "E1", "2025-03-01")
    assert (await checks(client, world, "E1", None))["evacuation_drill"]["met"] is True


async def training(client: httpx.AsyncClient, world: World, ent: str, **kw: Any) -> None:
    body = {
        "person_name": "张三",
        "person_role": "principal",
        "topic": "principal_special",
        "hours": 32,
        "completed_on": "2024-05-01",
    } | kw
    resp = await client.post(
        f"/api/v1/enterprises/{world.enterprises[ent]}/trainings",
        json=body,
        headers=world.headers("office"),
    )
    assert resp.status_code == 201, resp.text


async def test_principal_training_within_plan_period(
    client: httpx.AsyncClient, world: World
) -> None:
    await training(client, world, "E1", completed_on="2023-12-31")  # before the plan
    await training(client, world, "E1", completed_on="2024-03-01", passed=False)
    await training(client, world, "E1", completed_on="2024-03-01", topic="all_staff")
    await training(client, world, "E1", completed_on="2024-03-01", person_role="safety_manager")
    assert (await checks(client, world, "E1"))["principal_training"]["met"] is False
    await training(client, world, "E1", completed_on="2025-01-01")
    assert (await checks(client, world, "E1"))["principal_training"]["met"] is True
    assert (await checks(client, world, "E1", 2024))["principal_training"]["met"] is False
    # Once the enterprise names its principal head, that person must be the one trained.
    await client.patch(
        f"/api/v1/enterprises/{world.enterprises['E1']}",
        json={"principal_name": "赵六"},
        headers=world.headers("office"),
    )
    c = (await checks(client, world, "E1"))["principal_training"]
    assert c["met"] is False
    assert "现任主要负责人" in c["detail"]
    await training(client, world, "E1", person_name="赵六", completed_on="2024-01-01")
    assert (await checks(client, world, "E1"))["principal_training"]["met"] is True


async def certificate(client: httpx.AsyncClient, world: World, **kw: Any) -> None:
    body = {
        "holder_name": "李四",
        "category": "welding_cutting",
        "certificate_no": "C1",
        "issued_on": "2022-01-10",
        "expires_on": "2028-01-10",
        "next_review_on": "2026-06-01",
    } | kw
    resp = await client.post(
        f"/api/v1/enterprises/{world.enterprises['E1']}/certificates",
        json=body,
        headers=world.headers("office"),
    )
    assert resp.status_code == 201, resp.text


async def test_certificates_valid_on_the_evaluation_date(
    client: httpx.AsyncClient, world: World
) -> None:
    await certificate(client, world, next_review_on="2025-12-31")
    c = (await checks(client, world, "E1"))["certificates_valid"]
    assert c["met"] is True
    assert "1本将在60天内" in c["detail"]
    # Issued after 2025: not part of that year's judgement.
    await certificate(
        client, world, issued_on="2026-01-05", expires_on="2026-01-06", next_review_on="2026-01-06"
    )
    assert (await checks(client, world, "E1"))["certificates_valid"]["met"] is True
    await certificate(client, world, next_review_on="2025-12-30")
    c = (await checks(client, world, "E1"))["certificates_valid"]
    assert c["met"] is False
    assert "1本已过期或逾期未复审" in c["detail"]
    assert (await checks(client, world, "E1", 2024))["certificates_valid"]["met"] is True


async def test_major_hazards_live(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    today = today_in_shanghai()
    await add_hazard(db, world, "E1", level="general", deadline=today - timedelta(days=5))
    await add_hazard(
        db,
        world,
        "E1",
        status="closed",
        deadline=today - timedelta(days=5),
        closed_at="2025-05-02T00:00:00+08:00",
    )
    await add_hazard(db, world, "E2", deadline=today - timedelta(days=5))
    got = await checks(client, world, "E1", None)
    assert got["major_overdue"]["met"] is True
    assert got["major_zero"]["met"] is True
    # On its deadline day a hazard is still in time (brief §3).
    await add_hazard(db, world, "E1", deadline=today)
    got = await checks(client, world, "E1", None)
    assert got["major_overdue"]["met"] is True
    assert got["major_zero"]["met"] is False
    await add_hazard(
        db, world, "E1", status="pending_verification", deadline=today - timedelta(days=1)
    )
    assert (await checks(client, world, "E1", None))["major_overdue"]["met"] is True
    await add_hazard(db, world, "E1", status="reported", deadline=today - timedelta(days=1))
    got = await checks(client, world, "E1", None)
    assert got["major_overdue"]["met"] is False
    assert "1项重大事故隐患超过整改期限" in got["major_overdue"]["detail"]
    assert "3项" in got["major_zero"]["detail"]


async def test_major_hazards_at_a_closed_years_end(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    # Closed at 23:00 on 31 Dec 2025 Shanghai: 2025 ends with no open major hazard.
    await add_hazard(
        db,
        world,
        "E1",
        status="closed",
        deadline=date(2025, 6, 30),
        closed_at="2025-12-31T23:00:00+08:00",
    )
    await add_hazard(
        db,
        world,
        "E1",
        status="voided",
        deadline=date(2025, 6, 30),
        voided_at="2025-08-01T10:00:00+08:00",
    )
    got = await checks(client, world, "E1")
    assert got["major_overdue"]["met"] is True
    assert got["major_zero"]["met"] is True
    # Closed 00:30 on 1 Jan 2026 Shanghai: still open, and overdue, when 2025 ended.
    await add_hazard(
        db,
        world,
        "E1",
        status="closed",
        deadline=date(2025, 6, 30),
        closed_at="2025-12-31T16:30:00+00:00",
    )
    got = await checks(client, world, "E1")
    assert got["major_overdue"]["met"] is False
    assert got["major_zero"]["met"] is False
    assert got["major_overdue"]["detail"].startswith("截至2025-12-31")


async def test_standardization_grade_in_force(client: httpx.AsyncClient, world: World) -> None:
    url = f"/api/v1/enterprises/{world.enterprises['E1']}"
    patch = {
        "standardization_grade": 3,
        "standardization_certified_on": "2023-01-01",
        "standardization_expires_on": "2025-12-31",
    }
    await client.patch(url, json=patch, headers=world.headers("office"))
    assert (await checks(client, world, "E1"))["standardization"]["met"] is True
    assert (await checks(client, world, "E1", 2022))["standardization"]["met"] is False
    await client.patch(
        url, json={"standardization_expires_on": "2025-12-30"}, headers=world.headers("office")
    )
    c = (await checks(client, world, "E1"))["standardization"]
    assert c["met"] is False
    assert "2025-12-30" in c["detail"]
