"""Statistics: figures equal counts computed here from the records created; no personal data."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.rules.calendar import SHANGHAI, today_in_shanghai
from app.rules.idcard import id_check_char
from tests.api.records_helpers import add_hazard, add_principal_check
from tests.conftest import World, add_enterprise, assert_problem

STATUSES = ["reported", "rectifying", "pending_verification", "closed", "voided"]
SOURCES = ["self_check", "grid_patrol", "public_report", "enforcement"]
CATEGORIES = ["dust", "electrical", "fire", "equipment"]


async def make_ledger(db: AsyncSession, world: World) -> list[dict[str, Any]]:
    """A reproducible mix of hazards over four enterprises in two grids and two sectors."""
    await add_enterprise(db, world, "E3", "G1", sector="metallurgy", features=["metal_smelting"])
    await add_enterprise(db, world, "E4", "G2", sector="light_industry")
    await db.commit()
    rng = random.Random(6)
    today = today_in_shanghai()
    sectors = {"E1": "machinery", "E2": "machinery", "E3": "metallurgy", "E4": "light_industry"}
    grids = {"E1": "G1", "E2": "G2", "E3": "G1", "E4": "G2"}
    specs = []
    for _ in range(40):
        ent = rng.choice(["E1", "E2", "E3"])  # E4 has none: it must still be counted
        status = rng.choice(STATUSES)
        found = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 600))
        closed = found + timedelta(hours=rng.randrange(1, 24 * 90)) if status == "closed" else None
        spec = {
            "ent": ent,
            "grid": grids[ent],
            "sector": sectors[ent],
            "level": rng.choice(["general", "major"]),
            "status": status,
            "deadline": today + timedelta(days=rng.randrange(-30, 30)),
            "found": found,
            "closed": closed,
            "source": rng.choice(SOURCES),
            "category": rng.choice(CATEGORIES),
        }
        await add_hazard(
            db,
            world,
            ent,
            level=spec["level"],
            status=status,
            deadline=spec["deadline"],
            found_at=found.isoformat(),
            closed_at=closed.isoformat() if closed else None,
            source=spec["source"],
            category=spec["category"],
        )
        specs.append(spec)
    return specs


def is_open(s: dict[str, Any]) -> bool:
    return s["status"] not in ("closed", "voided")


def is_overdue(s: dict[str, Any]) -> bool:
    return s["status"] in ("reported", "rectifying") and s["deadline"] < today_in_shanghai()


def group(specs: list[dict[str, Any]]) -> dict[str, int]:
    return {
        "hazards": len(specs),
        "hazards_open": sum(map(is_open, specs)),
        "major_open": sum(1 for s in specs if is_open(s) and s["level"] == "major"),
        "overdue": sum(map(is_overdue, specs)),
        "closed": sum(1 for s in specs if s["status"] == "closed"),
    }


async def test_overview_equals_independent_counts(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    specs = await make_ledger(db, world)
    year = today_in_shanghai().year
    for who in ("office", "dashboard"):
        resp = await client.get("/api/v1/stats/overview", headers=world.headers(who))
        assert resp.status_code == 200, resp.text
        got = resp.json()
        assert got["enterprises"] == 4
        expected = group(specs)
        for key in ("hazards_open", "major_open", "overdue", "closed"):
            assert got[key] == expected[key], key
        assert got["by_status"] == dict(Counter(s["status"] for s in specs))
        assert got["by_level"] == dict(Counter(s["level"] for s in specs))
        assert got["by_source"] == dict(Counter(s["source"] for s in specs))
        assert got["by_category"] == dict(Counter(s["category"] for s in specs))
        assert got["closed_this_year"] == sum(
            1 for s in specs if s["closed"] and s["closed"].astimezone(SHANGHAI).year == year
        )
        for level in ("general", "major"):
            days = [
                (s["closed"] - s["found"]).total_seconds() / 86400
                for s in specs
                if s["closed"] and s["level"] == level
            ]
            want = round(statistics.median(days), 2) if days else None
            assert got["median_days_to_close"][level] == pytest.approx(want, abs=0.011), level
        by_grid = {g["grid_name"]: g for g in got["by_grid"]}
        for g in ("G1", "G2"):
            mine = [s for s in specs if s["grid"] == g]
            assert {k: by_grid[f"网格{g}"][k] for k in (*group(mine), "enterprises")} == group(
                mine
            ) | {"enterprises": 2}
        by_sector = {g["sector"]: g for g in got["by_sector"]}
        assert by_sector["light_industry"]["hazards"] == 0
        assert by_sector["light_industry"]["enterprises"] == 1
        for sector in ("machinery", "metallurgy"):
            mine = [s for s in specs if s["sector"] == sector]
            assert {k: by_sector[sector][k] for k in group(mine)} == group(mine)


async def test_overview_medians_exact_and_order(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """Odd count: the middle span; even: the mean of the two middle spans (both dialects take
    different paths to the middle, so the values are exact, not approximate). Grids come in
    id order and sectors in name order, including those without hazards."""
    empty = (await client.get("/api/v1/stats/overview", headers=world.headers("office"))).json()
    assert empty["median_days_to_close"] == {"general": None, "major": None}
    assert empty["by_status"] == {}
    assert empty["hazards_open"] == 0
    await add_enterprise(db, world, "E3", "G1", sector="commerce")
    await db.commit()
    found = datetime(2025, 3, 1, tzinfo=UTC)
    spans = {"general": [4.0, 1.0, 2.5], "major": [6.0, 1.5, 9.0, 0.5]}
    for level, days in spans.items():
        for d in days:
            closed = found + timedelta(days=d)
            await add_hazard(
                db, world, "E1", level=level, status="closed", found_at=found.isoformat(),
                closed_at=closed.isoformat(),
            )  # fmt: skip
    await add_hazard(db, world, "E2", level="general", status="reported")
    got = (await client.get("/api/v1/stats/overview", headers=world.headers("office"))).json()
    assert got["median_days_to_close"] == {"general": 2.5, "major": 3.75}
    assert got["closed"] == 7
    assert got["hazards_open"] == 1
    assert [g["grid_id"] for g in got["by_grid"]] == sorted(
        str(world.grids[g]) for g in ("G1", "G2")
    )
    assert [s["sector"] for s in got["by_sector"]] == sorted(
        {s["sector"] for s in got["by_sector"]}
    )
    commerce = next(s for s in got["by_sector"] if s["sector"] == "commerce")
    assert commerce == {
        "sector": "commerce", "enterprises": 1, "hazards": 0, "hazards_open": 0,
        "major_open": 0, "overdue": 0, "closed": 0,
    }  # fmt: skip


async def test_stats_roles(client: httpx.AsyncClient, world: World) -> None:
    for path in ("overview", "hazards", "targets", "ranking"):
        for who in ("head1", "grid1"):
            assert_problem(
                await client.get(f"/api/v1/stats/{path}", headers=world.headers(who)), 403
            )
        assert_problem(await client.get(f"/api/v1/stats/{path}"), 401)
    bad = await client.get(
        "/api/v1/stats/hazards", params={"group_by": "person"}, headers=world.headers("office")
    )
    assert_problem(bad, 422)
    bad = await client.get(
        "/api/v1/stats/hazards",
        params={"from": "2025-02-01", "to": "2025-01-01"},
        headers=world.headers("office"),
    )
    assert_problem(bad, 422, "invalid_range")


async def test_hazard_series(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    specs = await make_ledger(db, world)
    # 31 Jan 16:30 UTC is 1 Feb in Shanghai: a February hazard.
    await add_hazard(
        db, world, "E1", found_at="2025-01-31T16:30:00+00:00", level="general", status="reported"
    )
    specs.append(
        {
            "ent": "E1",
            "grid": "G1",
            "sector": "machinery",
            "level": "general",
            "status": "reported",
            "deadline": None,
            "found": datetime(2025, 1, 31, 16, 30, tzinfo=UTC),
            "closed": None,
            "source": "self_check",
            "category": "equipment",
        }
    )
    start, end = date(2025, 1, 1), date(2025, 12, 31)
    in_range = [s for s in specs if start <= s["found"].astimezone(SHANGHAI).date() <= end]
    params = {"from": start.isoformat(), "to": end.isoformat()}

    async def series(group_by: str, **kw: Any) -> dict[str, dict[str, Any]]:
        resp = await client.get(
            "/api/v1/stats/hazards",
            params=params | {"group_by": group_by} | kw,
            headers=world.headers("dashboard"),
        )
        assert resp.status_code == 200, resp.text
        return {i["label"]: i for i in resp.json()["items"]}

    months = await series("month")
    want = Counter(s["found"].astimezone(SHANGHAI).strftime("%Y-%m") for s in in_range)
    assert {k: v["found"] for k, v in months.items()} == dict(want)
    for label, key in (("category", "category"), ("sector", "sector")):
        got = await series(label)
        assert {k: v["found"] for k, v in got.items()} == dict(Counter(s[key] for s in in_range))
        for k, item in got.items():
            mine = [s for s in in_range if s[key] == k]
            assert item["major"] == sum(1 for s in mine if s["level"] == "major")
            assert item["open"] == sum(map(is_open, mine))
    grids = await series("grid")
    assert {k: v["found"] for k, v in grids.items()} == {
        f"网格{g}": n for g, n in Counter(s["grid"] for s in in_range).items()
    }
    top = await series("enterprise", limit=1)
    counts = Counter(s["ent"] for s in in_range)
    assert [v["found"] for v in top.values()] == [max(counts.values())]


async def test_targets(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    await add_enterprise(
        db,
        world,
        "E3",
        "G1",
        sector="metallurgy",
        features=["metal_smelting"],
        standardization_grade=3,
        standardization_certified_on=date(2023, 5, 1),
        standardization_expires_on=date(2026, 4, 30),
        designation="benchmark",
        designation_year=2025,
    )
    await add_enterprise(
        db,
        world,
        "E4",
        "G2",
        standardization_grade=2,
        standardization_certified_on=date(2025, 3, 1),
        designation="demonstration",
        designation_year=2024,
    )
    await add_enterprise(
        db,
        world,
        "E5",
        "G2",
        standardization_grade=3,
        standardization_certified_on=date(2020, 1, 1),
        standardization_expires_on=date(2024, 12, 31),
        principal_name="赵六",
    )
    await db.commit()
    office = world.headers("office")
    for ent, name in (("E1", "张三"), ("E5", "钱七")):  # E5's trainee is not its principal head
        body = {
            "person_name": name,
            "person_role": "principal",
            "topic": "principal_special",
            "hours": 32,
            "completed_on": "2024-06-01",
        }
        await client.post(
            f"/api/v1/enterprises/{world.enterprises[ent]}/trainings", json=body, headers=office
        )
    for ent, observed in (("E1", True), ("E2", False), ("E2", True)):
        body = {
            "held_on": "2025-05-01",
            "kind": "evacuation",
            "scenario": "疏散",
            "participants": 5,
            "observed_by_street_office": observed,
        }
        await client.post(
            f"/api/v1/enterprises/{world.enterprises[ent]}/drills", json=body, headers=office
        )
    for q in ("01", "04", "07", "10"):
        await add_principal_check(db, world, "E1", f"2025-{q}-10T10:00:00+08:00")
    await add_principal_check(
        db, world, "E1", "2025-11-10T10:00:00+08:00"
    )  # same quarter: no new period
    await add_principal_check(db, world, "E3", "2025-03-10T10:00:00+08:00")
    await add_principal_check(db, world, "E2", "2025-12-31T16:30:00+00:00")  # 2026 in Shanghai
    await add_hazard(db, world, "E1", deadline=date(2025, 6, 30))  # open major, overdue at 2025 end
    await add_hazard(
        db, world, "E2", deadline=date(2026, 1, 30), found_at="2025-12-01T10:00:00+08:00"
    )
    await add_hazard(db, world, "E2", level="general", deadline=date(2025, 1, 30))

    resp = await client.get(
        "/api/v1/stats/targets", params={"year": 2025}, headers=world.headers("dashboard")
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["evaluated_on"] == "2025-12-31"
    assert body["enterprises"] == 5
    t = {x["code"]: x for x in body["targets"]}
    for x in body["targets"]:
        assert x["citation"].startswith("实施方案")
    # Graded at 2024 end: E3, E5 → 2; at 2025 end: E3, E4 → 2; goal ceil(2 × 1.05) = 3.
    assert (t["standardization_growth"]["baseline"], t["standardization_growth"]["actual"]) == (
        2,
        2,
    )
    assert t["standardization_growth"]["target_value"] == 3
    assert t["standardization_growth"]["met"] is False
    assert (t["demonstration_enterprises"]["actual"], t["demonstration_enterprises"]["met"]) == (
        1,
        True,
    )
    assert (t["benchmark_enterprises"]["actual"], t["benchmark_enterprises"]["met"]) == (1, False)
    # 方案 三(六)11 covers 重点行业领域 enterprises only: E3 (metallurgy), untrained (issue 14).
    assert t["principal_training_coverage"]["done"] == 0
    assert t["principal_training_coverage"]["total"] == 1
    assert t["principal_training_coverage"]["actual"] == 0.0
    assert t["enterprises_drilled"]["done"] == 2
    assert t["drill_observations"]["actual"] == 2
    # Due: 4 ordinary enterprises × 4 quarters + E3 × 12 months = 28; covered: E1 4, E3 1.
    assert (t["principal_checks"]["target_value"], t["principal_checks"]["actual"]) == (28, 5)
    assert t["principal_checks"]["done"] == 6
    assert (t["major_open"]["actual"], t["major_overdue"]["actual"]) == (2, 1)
    assert t["major_open"]["met"] is False


async def test_ranking(client: httpx.AsyncClient, world: World, db: AsyncSession) -> None:
    await add_enterprise(db, world, "E3", "G1")
    await db.commit()
    today = today_in_shanghai()
    await add_hazard(db, world, "E2", deadline=today - timedelta(days=3))
    await add_hazard(db, world, "E2", level="general", deadline=today - timedelta(days=3))
    body = {
        "held_on": today.isoformat(),
        "kind": "evacuation",
        "scenario": "疏散",
        "participants": 5,
    }
    await client.post(
        f"/api/v1/enterprises/{world.enterprises['E3']}/drills",
        json=body,
        headers=world.headers("office"),
    )
    resp = await client.get("/api/v1/stats/ranking", headers=world.headers("dashboard"))
    items = resp.json()["items"]
    order = [i["enterprise_id"] for i in items]
    assert order[0] == str(world.enterprises["E2"])
    assert order[-1] == str(world.enterprises["E3"])
    assert items[0]["overdue_hazards"] == 2
    assert "major_overdue" in items[0]["unmet_codes"]
    assert items[0]["unmet_count"] == len(items[0]["unmet_codes"])
    assert [i["rank"] for i in items] == [1, 2, 3]
    page1 = (
        await client.get(
            "/api/v1/stats/ranking", params={"limit": 2}, headers=world.headers("office")
        )
    ).json()
    page2 = (
        await client.get(
            "/api/v1/stats/ranking",
            params={"limit": 2, "cursor": page1["next_cursor"]},
            headers=world.headers("office"),
        )
    ).json()
    assert [i["enterprise_id"] for i in page1["items"] + page2["items"]] == order
    assert page2["next_cursor"] is None


async def test_dashboard_sees_no_people_and_no_enterprise_record(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    office = world.headers("office")
    e1 = world.enterprises["E1"]
    await client.patch(
        f"/api/v1/enterprises/{e1}",
        json={"principal_name": "赵六", "principal_phone": "13800138000"},
        headers=office,
    )
    first17 = "11010519491231002"
    id_number = first17 + id_check_char(first17)
    await client.post(
        f"/api/v1/enterprises/{e1}/certificates",
        json={
            "holder_name": "李四",
            "id_number": id_number,
            "category": "electrical",
            "certificate_no": "C1",
            "issued_on": "2024-01-01",
            "expires_on": "2030-01-01",
        },
        headers=office,
    )
    await client.post(
        f"/api/v1/enterprises/{e1}/trainings",
        json={
            "person_name": "张三",
            "person_role": "principal",
            "topic": "principal_special",
            "hours": 32,
            "completed_on": "2024-06-01",
        },
        headers=office,
    )
    await client.post(
        "/api/v1/interviews",
        json={
            "enterprise_id": str(e1),
            "person_name": "王五",
            "reason": "约谈",
            "held_on": "2025-07-05",
        },
        headers=office,
    )
    await add_hazard(db, world, "E1", deadline=today_in_shanghai() - timedelta(days=1))
    dash = world.headers("dashboard")
    texts = []
    for path, params in (
        ("overview", {}),
        ("hazards", {"group_by": "enterprise", "from": "2025-01-01"}),
        ("targets", {}),
        ("ranking", {}),
    ):
        resp = await client.get(f"/api/v1/stats/{path}", params=params, headers=dash)
        assert resp.status_code == 200, resp.text
        texts.append(resp.text)
    blob = "".join(texts)
    for secret in (
        "赵六",
        "李四",
        "张三",
        "王五",
        "13800138000",
        id_number,
        "测试office",
        "u_office",
    ):
        assert secret not in blob, secret
    assert "测试企业E1" in blob  # enterprise names are not personal data
    for url in (
        f"/api/v1/enterprises/{e1}",
        "/api/v1/enterprises",
        f"/api/v1/enterprises/{e1}/drills",
        f"/api/v1/enterprises/{e1}/trainings",
        f"/api/v1/enterprises/{e1}/certificates",
        f"/api/v1/enterprises/{e1}/compliance",
        "/api/v1/accidents",
        "/api/v1/interviews",
        "/api/v1/hazards/export",
    ):
        assert_problem(await client.get(url, headers=dash), 403)
    # The ledger's overview rows (issue 12) name enterprises, never people.
    ledger = await client.get("/api/v1/hazards", headers=dash)
    assert ledger.status_code == 200
    assert not [s for s in ("赵六", "李四", "张三", "王五", "13800138000") if s in ledger.text]


async def test_overview_median_inside_one_bucket(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """Different spans in one whole-day bucket: PostgreSQL walks the index inside the bucket
    (its two probes disagree); an even count takes the next value in the same bucket."""
    found = datetime(2025, 3, 1, tzinfo=UTC)
    spans = {"general": [2.25, 2.75, 2.5], "major": [3.25, 3.5, 3.75, 8.0]}
    for level, days in spans.items():
        for d in days:
            await add_hazard(
                db, world, "E1", level=level, status="closed", found_at=found.isoformat(),
                closed_at=(found + timedelta(days=d)).isoformat(),
            )  # fmt: skip
    got = (await client.get("/api/v1/stats/overview", headers=world.headers("office"))).json()
    assert got["median_days_to_close"] == {"general": 2.5, "major": 3.62}
