"""Level determination through POST /api/v1/hazards (brief §7): the same rules service as
inspections, end to end on both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.rules.standard import load_standard
from app.services import standards
from tests.conftest import World, add_enterprise, assert_problem

URL = "/api/v1/hazards"


async def tobacco(db: AsyncSession, world: World) -> str:
    await add_enterprise(db, world, "T", "G1", sector="tobacco", features=["dust_explosion"])
    await db.commit()
    return str(world.enterprises["T"])


def hazard(ent: str, **kw: Any) -> dict[str, Any]:
    return {
        "enterprise_id": ent,
        "description": "熏蒸作业场所未配报警仪",
        "category": "other",
        **kw,
    }


@pytest.mark.parametrize(
    ("codes", "bad"),
    [(["10.1", "4.1"], ["4.1"]), (["3.4"], ["3.4"]), (["5.13", "99.1", "11.1"], ["5.13", "99.1"])],
)
async def test_tobacco_cannot_cite_other_items(
    client: httpx.AsyncClient, db: AsyncSession, world: World, codes: list[str], bad: list[str]
) -> None:
    ent = await tobacco(db, world)
    resp = await client.post(
        URL, json=hazard(ent, item_codes=codes), headers=world.headers("grid1")
    )
    problem = assert_problem(resp, 422, "invalid_item_codes")
    assert problem["item_codes"] == bad
    for code in bad:
        assert code in str(problem["detail"])


@pytest.mark.parametrize(
    ("who", "extra", "level", "basis"),
    [
        (
            "grid1",
            {"item_codes": ["11.10", "10.1"]},
            "major",
            {"standard_version": "2023", "item_codes": ["10.1", "11.10"], "articles": [10, 11]},
        ),
        (
            "grid1",
            {"item_codes": ["10.2"], "device_failed": True},
            "major",
            {
                "standard_version": "2023",
                "item_codes": ["10.2"],
                "articles": [10, 14],
                "device_failed": True,
            },
        ),
        (
            "office",
            {"level": "major", "level_reason": "依燃气领域标准判定"},
            "major",
            {"standard_version": None, "item_codes": [], "manual_reason": "依燃气领域标准判定"},
        ),
        ("grid1", {}, "general", {"standard_version": None, "item_codes": []}),
    ],
)
async def test_levels_and_basis(
    client: httpx.AsyncClient,
    db: AsyncSession,
    world: World,
    who: str,
    extra: dict[str, Any],
    level: str,
    basis: dict[str, Any],
) -> None:
    ent = await tobacco(db, world)
    resp = await client.post(URL, json=hazard(ent, **extra), headers=world.headers(who))
    assert resp.status_code == 201, resp.text
    got = resp.json()
    assert got["level"] == level
    assert {k: got["basis"].get(k) for k in basis} == basis


async def test_only_street_office_determines_major_without_items(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    ent = await tobacco(db, world)
    body = hazard(ent, level="major", level_reason="x")
    assert_problem(await client.post(URL, json=body, headers=world.headers("grid1")), 403)
    no_reason = hazard(ent, level="major")
    resp = await client.post(URL, json=no_reason, headers=world.headers("office"))
    assert_problem(resp, 422, "level_reason_required")


async def test_db_catalogue_equals_packaged_file_and_is_cached(
    db: AsyncSession, world: World
) -> None:
    del world  # only for the migrated database
    first = await standards.current(db)
    assert await standards.current(db) is first  # built once per version, then cached
    packaged = load_standard()
    assert first.version == packaged.version
    assert first.effective == packaged.effective
    assert [(i.code, i.rule, i.text, i.sector, i.sub_sector) for i in first.items] == [
        (i.code, i.rule, i.text, i.sector, i.sub_sector) for i in packaged.items
    ]
    assert standards.cached_current() is first
