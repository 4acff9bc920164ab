"""The checklist catalogue and per-enterprise checklists (issue 3), through the HTTP API.

Expected counts are computed from the reference YAML here, independently of the app's
loader, so a wrong load or a leaking rule fails.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from app.rules.enterprise_kinds import Feature, Sector
from app.rules.standard import DEFAULT_STANDARD_PATH
from tests.conftest import World, add_enterprise, assert_problem

with DEFAULT_STANDARD_PATH.open(encoding="utf-8") as _fh:
    RAW: dict[str, Any] = yaml.safe_load(_fh)
ITEMS: list[dict[str, Any]] = RAW["items"]


def expected_codes(sector: str, features: set[str]) -> list[str]:
    """Independent reading of the YAML, in numeric code order."""
    out = [
        i["code"]
        for i in ITEMS
        if i["applies_when"].get("all") is True
        or i["applies_when"].get("sector") == sector
        or i["applies_when"].get("feature") in features
    ]
    return sorted(out, key=lambda c: tuple(int(p) for p in c.split(".")))


async def all_pages(
    client: httpx.AsyncClient, url: str, headers: dict[str, str], **filters: str
) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        params = {"limit": "7", **filters, **({"cursor": cursor} if cursor else {})}
        resp = await client.get(url, params=params, headers=headers)
        assert resp.status_code == 200, resp.text
        body = resp.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


async def test_standards_list(client: httpx.AsyncClient, world: World) -> None:
    for who in ("office", "head1", "grid1", "dashboard"):
        resp = await client.get("/api/v1/standards", headers=world.headers(who))
        assert resp.status_code == 200, resp.text
        assert resp.json()["items"] == [
            {
                "version": "2023",
                "title": RAW["standard"]["title"],
                "instrument": RAW["standard"]["instrument"],
                "effective": "2023-05-15",
                "is_current": True,
            }
        ]
    assert_problem(await client.get("/api/v1/standards"), 401)


async def test_items_all_loaded_in_numeric_order(client: httpx.AsyncClient, world: World) -> None:
    items = await all_pages(client, "/api/v1/standards/2023/items", world.headers("dashboard"))
    assert len(items) == RAW["standard"]["items"] == len(ITEMS)
    by_code = {i["code"]: i for i in ITEMS}
    assert [i["code"] for i in items] == sorted(
        by_code, key=lambda c: tuple(int(p) for p in c.split("."))
    )
    for got in items:
        raw = by_code[got["code"]]
        assert got["text"] == raw["text"]
        assert got["text_verified"] == raw["text_verified"]
        ((kind, value),) = raw["applies_when"].items()
        assert (got["rule_kind"], got["rule_value"]) == (kind, None if kind == "all" else value)
        assert got["sector"] == raw.get("sector")


@pytest.mark.parametrize("sector", [s.value for s in Sector])
async def test_items_by_sector(client: httpx.AsyncClient, world: World, sector: str) -> None:
    got = await all_pages(
        client, "/api/v1/standards/2023/items", world.headers("grid1"), sector=sector
    )
    assert [i["code"] for i in got] == [
        c for c in expected_codes(sector, set()) if c not in expected_codes("-", set())
    ]
    if sector == "commerce":
        assert got == []


@pytest.mark.parametrize("feature", [f.value for f in Feature])
async def test_items_by_feature(client: httpx.AsyncClient, world: World, feature: str) -> None:
    got = await all_pages(
        client, "/api/v1/standards/2023/items", world.headers("office"), feature=feature
    )
    assert [i["code"] for i in got] == [
        c for c in expected_codes("-", {feature}) if c not in expected_codes("-", set())
    ]


async def test_items_text_search(client: httpx.AsyncClient, world: World) -> None:
    resp = await client.get(
        "/api/v1/standards/2023/items", params={"q": "磷化氢"}, headers=world.headers("head1")
    )
    assert [i["code"] for i in resp.json()["items"]] == ["10.1"]
    resp = await client.get(
        "/api/v1/standards/2023/items", params={"q": "5.10"}, headers=world.headers("head1")
    )
    assert [i["code"] for i in resp.json()["items"]] == ["5.10"]


async def test_items_bad_input(client: httpx.AsyncClient, world: World) -> None:
    h = world.headers("office")
    assert_problem(await client.get("/api/v1/standards/2017/items", headers=h), 404)
    assert_problem(await client.get("/api/v1/standards/2023/items?sector=mining", headers=h), 422)
    assert_problem(await client.get("/api/v1/standards/2023/items?limit=101", headers=h), 422)
    assert_problem(await client.get("/api/v1/standards/2023/items?cursor=zz", headers=h), 422)


CASES: list[tuple[str, list[str]]] = (
    [(s.value, []) for s in Sector]
    + [("commerce", [f.value]) for f in Feature]
    + [("machinery", [f.value]) for f in Feature]
    + [
        ("nonferrous", [f.value for f in Feature]),
        ("tobacco", ["dust_explosion", "confined_space"]),
    ]
)


@pytest.mark.parametrize(("sector", "features"), CASES)
async def test_checklist_matches_reference(
    client: httpx.AsyncClient, db: AsyncSession, world: World, sector: str, features: list[str]
) -> None:
    await add_enterprise(db, world, "X", "G1", sector=sector, features=features)
    await db.commit()
    resp = await client.get(
        f"/api/v1/enterprises/{world.enterprises['X']}/checklist", headers=world.headers("grid1")
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["standard_version"] == "2023"
    codes = [i["code"] for i in body["items"]]
    assert codes == expected_codes(sector, set(features))
    assert body["counts"]["total"] == len(codes)
    by_code = {i["code"]: i for i in ITEMS}
    for item in body["items"]:
        raw = by_code[item["code"]]
        # No item of another sector leaks in, and the reason names the real cause.
        assert raw.get("sector") in (None, sector)
        ((kind, value),) = raw["applies_when"].items()
        expected = "general" if kind == "all" else f"{kind}:{value}"
        assert item["applies_because"] == expected
        assert item["text"] == raw["text"]
        assert item["article"] == raw["article"]


async def test_commerce_without_features_gets_3_1_and_3_2(
    client: httpx.AsyncClient, db: AsyncSession, world: World
) -> None:
    await add_enterprise(db, world, "C", "G2", sector="commerce")
    await db.commit()
    resp = await client.get(
        f"/api/v1/enterprises/{world.enterprises['C']}/checklist", headers=world.headers("office")
    )
    body = resp.json()
    assert [(i["code"], i["applies_because"]) for i in body["items"]] == [
        ("3.1", "general"),
        ("3.2", "general"),
    ]
    assert body["counts"] == {"general": 2, "sector": 0, "feature": 0, "total": 2}


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        ("head1", "E1", 200),
        ("head1", "E2", 404),
        ("grid1", "E1", 200),
        ("grid1", "E2", 404),
        ("grid2", "E1", 404),
        ("office", "E2", 200),
        ("dashboard", "E1", 403),
    ],
)
async def test_checklist_scope(
    client: httpx.AsyncClient, world: World, who: str, target: str, status: int
) -> None:
    resp = await client.get(
        f"/api/v1/enterprises/{world.enterprises[target]}/checklist", headers=world.headers(who)
    )
    assert resp.status_code == status, resp.text
    if status != 200:
        assert_problem(resp, status)


async def test_checklist_unknown_enterprise(client: httpx.AsyncClient, world: World) -> None:
    h = world.headers("office")
    resp = await client.get(
        "/api/v1/enterprises/00000000-0000-0000-0000-000000000000/checklist", headers=h
    )
    assert_problem(resp, 404)
    assert_problem(await client.get("/api/v1/enterprises/nope/checklist", headers=h), 422)
