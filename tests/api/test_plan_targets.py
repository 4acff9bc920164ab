"""Issue 14: the plan's targets and compliance checks that were encoded wrongly or partly.

Each test fails on the code before the fix (checked before fixing)."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.records_helpers import add_hazard
from tests.conftest import World, add_enterprise


async def targets(client: httpx.AsyncClient, world: World, year: int) -> dict[str, Any]:
    resp = await client.get(
        "/api/v1/stats/targets", params={"year": year}, headers=world.headers("dashboard")
    )
    assert resp.status_code == 200, resp.text
    return {t["code"]: t for t in resp.json()["targets"]}


async def checks(client: httpx.AsyncClient, world: World, ent: str, year: int) -> dict[str, Any]:
    resp = await client.get(
        f"/api/v1/enterprises/{world.enterprises[ent]}/compliance",
        params={"year": year},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    return {c["code"]: c for c in resp.json()["checks"]}


async def post_drill(
    client: httpx.AsyncClient, world: World, ent: str, kind: str, *, observed: bool
) -> None:
    body = {
        "held_on": "2025-05-01",
        "kind": kind,
        "scenario": "演练",
        "participants": 5,
        "observed_by_street_office": observed,
    }
    resp = await client.post(
        f"/api/v1/enterprises/{world.enterprises[ent]}/drills",
        json=body,
        headers=world.headers("office"),
    )
    assert resp.status_code == 201, resp.text


async def test_observation_counts_evacuation_drills_only(
    client: httpx.AsyncClient, world: World
) -> None:
    """§三(六)12: 疏散逃生演练现场观摩 — an observed tabletop drill is not one."""
    await post_drill(client, world, "E1", "tabletop", observed=True)
    await post_drill(client, world, "E2", "comprehensive", observed=True)
    t = (await targets(client, world, 2025))["drill_observations"]
    assert (t["actual"], t["met"]) == (0, False)
    await post_drill(client, world, "E2", "evacuation", observed=True)
    t = (await targets(client, world, 2025))["drill_observations"]
    assert (t["actual"], t["met"]) == (1, True)


async def test_one_vote_veto_on_standardization(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """§三(四)8 一票否决: a graded enterprise with an open major hazard does not count."""
    graded = {
        "standardization_grade": 3,
        "standardization_certified_on": date(2023, 1, 1),
        "standardization_expires_on": date(2027, 1, 1),
    }
    await add_enterprise(db, world, "G_OK", "G1", **graded)
    await add_enterprise(db, world, "G_VETO", "G2", **graded)
    await db.commit()
    await add_hazard(db, world, "G_VETO", deadline=date(2026, 6, 30))
    t = (await targets(client, world, 2025))["standardization_growth"]
    assert (t["baseline"], t["actual"]) == (2, 1)
    assert "一票否决" in t["detail"]
    c = (await checks(client, world, "G_VETO", 2025))["standardization"]
    assert (c["met"], c["status"]) == (False, "unmet")
    assert "一票否决" in c["detail"]
    ok = (await checks(client, world, "G_OK", 2025))["standardization"]
    assert (ok["met"], ok["status"]) == (True, "met")


async def test_missing_grade_is_information_unless_required(
    client: httpx.AsyncClient, world: World
) -> None:
    """§三(四)8 引导符合条件的企业: no grade is a breach only where it is required."""
    c = (await checks(client, world, "E1", 2025))["standardization"]
    assert (c["met"], c["status"]) == (True, "info")
    resp = await client.get(
        "/api/v1/stats/ranking", params={"year": 2025}, headers=world.headers("office")
    )
    assert all("standardization" not in r["unmet_codes"] for r in resp.json()["items"])
    resp = await client.patch(
        f"/api/v1/enterprises/{world.enterprises['E1']}",
        json={"standardization_required": True},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["standardization_required"] is True
    c = (await checks(client, world, "E1", 2025))["standardization"]
    assert (c["met"], c["status"]) == (False, "unmet")
    resp = await client.patch(
        f"/api/v1/enterprises/{world.enterprises['E1']}",
        json={"standardization_required": None},
        headers=world.headers("office"),
    )
    assert resp.status_code == 422, resp.text


async def test_two_designations_each_with_its_own_target(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """§三(一)2 示范/标杆 (cumulative, end-2024/end-2025) vs §三(四)8 标准化标杆 (every year)."""
    await add_enterprise(db, world, "D", "G1", designation="demonstration", designation_year=2024)
    await add_enterprise(db, world, "B1", "G1", designation="benchmark", designation_year=2025)
    await add_enterprise(db, world, "B2", "G2", designation="benchmark", designation_year=2025)
    await add_enterprise(db, world, "S24", "G2", standardization_benchmark_year=2024)
    await add_enterprise(
        db, world, "S26", "G2", designation="benchmark", standardization_benchmark_year=2026
    )
    await db.commit()
    y24 = await targets(client, world, 2024)
    assert (
        y24["demonstration_enterprises"]["actual"],
        y24["demonstration_enterprises"]["met"],
    ) == (
        1,
        True,
    )
    assert (
        y24["standardization_benchmarks"]["actual"],
        y24["standardization_benchmarks"]["met"],
    ) == (
        1,
        True,
    )
    assert y24["benchmark_enterprises"]["due"] == "2025-12-31"
    y25 = await targets(client, world, 2025)
    assert (y25["benchmark_enterprises"]["actual"], y25["benchmark_enterprises"]["met"]) == (
        2,
        True,
    )
    # 2025 chose no standardization 标杆: the yearly target is not met, whatever 三(一)2 says.
    assert (
        y25["standardization_benchmarks"]["actual"],
        y25["standardization_benchmarks"]["met"],
    ) == (
        0,
        False,
    )
    y26 = await targets(client, world, 2026)
    assert y26["standardization_benchmarks"]["actual"] == 1
    assert y26["standardization_benchmarks"]["citation"].startswith("实施方案 三(四)8")
    assert y26["benchmark_enterprises"]["citation"].startswith("实施方案 三(一)2")


async def test_principal_training_target_covers_key_industries_only(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """§三(六)11: 工贸重点行业领域企业 — membership from features/sectors (settings)."""
    await add_enterprise(db, world, "K", "G1", features=["confined_space"])
    await add_enterprise(db, world, "M", "G2", sector="metallurgy")
    await db.commit()
    office = world.headers("office")
    for ent in ("E1", "K"):
        body = {
            "person_name": "张三",
            "person_role": "principal",
            "topic": "principal_special",
            "hours": 32,
            "completed_on": "2024-06-01",
        }
        resp = await client.post(
            f"/api/v1/enterprises/{world.enterprises[ent]}/trainings", json=body, headers=office
        )
        assert resp.status_code == 201, resp.text
    t = (await targets(client, world, 2025))["principal_training_coverage"]
    # E1 and E2 (machinery, no key feature) are outside; K and M are in, K is trained.
    assert (t["done"], t["total"], t["actual"], t["met"]) == (1, 2, 50.0, False)
    assert "重点行业领域" in t["detail"]
    assert "有限空间作业" in t["detail"]


async def test_principal_training_target_agrees_with_each_check(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    """The target counts exactly the key-industry enterprises whose principal-training check
    is met: an empty head name means no head on file (anyone trained as principal counts),
    and a name is compared without the whitespace Python's strip() removes (U+3000 too)."""
    cases = {"EMPTY": ("", "张三", True), "PAD": (" 李四\u3000", "李四", True)}
    cases |= {"OTHER": ("王五", "赵六", False), "NONE": (None, "钱七", True)}
    for ent, (head, trainee, _met) in cases.items():
        await add_enterprise(db, world, ent, "G1", features=["confined_space"], principal_name=head)
        await db.commit()
        body = {
            "person_name": trainee,
            "person_role": "principal",
            "topic": "principal_special",
            "hours": 32,
            "completed_on": "2025-06-01",
        }
        url = f"/api/v1/enterprises/{world.enterprises[ent]}/trainings"
        resp = await client.post(url, json=body, headers=world.headers("office"))
        assert resp.status_code == 201, resp.text
    for ent, (_head, _trainee, met) in cases.items():
        assert (await checks(client, world, ent, 2025))["principal_training"]["met"] is met, ent
    t = (await targets(client, world, 2025))["principal_training_coverage"]
    assert (t["done"], t["total"]) == (3, 4)


async def test_serious_accidents_need_interview_and_district_report(
    client: httpx.AsyncClient, world: World
) -> None:
    """§三(三)6: 较大及以上 and 重大涉险 accidents → 警示约谈 + 上报区应急局."""
    office = world.headers("office")
    eid = world.enterprises["E1"]
    accident = {
        "enterprise_id": str(eid),
        "occurred_at": "2025-03-01T10:00:00+08:00",
        "description": "有限空间中毒，两人送医",
        "major_risk_event": True,
    }
    resp = await client.post("/api/v1/accidents", json=accident, headers=office)
    assert resp.status_code == 201, resp.text
    risky = resp.json()
    assert (risky["grade"], risky["major_risk_event"]) == ("general", True)
    larger = {
        **accident,
        "description": "坍塌",
        "deaths": 3,
        "occurred_at": "2025-04-01T10:00:00+08:00",
    }
    larger_id = (await client.post("/api/v1/accidents", json=larger, headers=office)).json()["id"]
    general = {**accident, "description": "轻伤", "major_risk_event": False}
    assert (await client.post("/api/v1/accidents", json=general, headers=office)).status_code == 201
    t = (await targets(client, world, 2025))["accident_followups"]
    assert (t["actual"], t["total"], t["met"]) == (2, 2, False)
    assert set(t["object_ids"]) == {risky["id"], larger_id}
    c = (await checks(client, world, "E1", 2025))["accident_followup"]
    assert c["met"] is False
    assert "2起未实施警示约谈" in c["detail"]
    for acc_id, reported in ((risky["id"], True), (larger_id, False)):
        interview = {
            "enterprise_id": str(eid),
            "person_name": "张三",
            "reason": "事故警示约谈",
            "accident_id": acc_id,
            "held_on": "2025-04-10",
            "reported_to_district": reported,
        }
        resp = await client.post("/api/v1/interviews", json=interview, headers=office)
        assert resp.status_code == 201, resp.text
    t = (await targets(client, world, 2025))["accident_followups"]
    assert (t["actual"], t["object_ids"]) == (1, [larger_id])
    c = (await checks(client, world, "E1", 2025))["accident_followup"]
    assert (c["met"], "1起未上报区应急局" in c["detail"]) == (False, True)
    assert (await checks(client, world, "E2", 2025))["accident_followup"]["met"] is True


async def test_hazard_standard_training_each_year(client: httpx.AsyncClient, world: World) -> None:
    """§三(三)4: 判定标准 is a regular part of each enterprise's training."""
    c = (await checks(client, world, "E1", 2025))["hazard_standard_training"]
    assert c["met"] is False
    body = {
        "person_name": "李四",
        "person_role": "employee",
        "topic": "hazard_standard",
        "hours": 2,
        "completed_on": "2025-03-01",
    }
    resp = await client.post(
        f"/api/v1/enterprises/{world.enterprises['E1']}/trainings",
        json=body,
        headers=world.headers("office"),
    )
    assert resp.status_code == 201, resp.text
    assert (await checks(client, world, "E1", 2025))["hazard_standard_training"]["met"] is True
    assert (await checks(client, world, "E1", 2024))["hazard_standard_training"]["met"] is False


async def test_half_yearly_drill_features_are_configurable(
    client: httpx.AsyncClient,
    world: World,
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """§三(六)12 “厂中厂”等类型: another feature can be put on the half-yearly cadence."""
    monkeypatch.setattr(
        world.settings, "half_yearly_drill_features", ["factory_in_factory", "dust_explosion"]
    )
    await add_enterprise(db, world, "DX", "G1", features=["dust_explosion"])
    await db.commit()
    await post_drill(client, world, "DX", "evacuation", observed=False)  # 2025-05-01
    c = (await checks(client, world, "DX", 2025))["evacuation_drill"]
    assert c["met"] is False
    assert "下半年" in c["detail"]
    assert "涉爆粉尘" in c["detail"]
    monkeypatch.setattr(world.settings, "half_yearly_drill_features", ["factory_in_factory"])
    assert (await checks(client, world, "DX", 2025))["evacuation_drill"]["met"] is True
