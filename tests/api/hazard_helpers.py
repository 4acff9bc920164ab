"""Shared helpers for the hazard API tests."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx

from app.rules.calendar import today_in_shanghai
from tests.conftest import World

API = "/api/v1/hazards"


def tomorrow() -> str:
    return (today_in_shanghai() + timedelta(days=1)).isoformat()


def yesterday() -> str:
    return (today_in_shanghai() - timedelta(days=1)).isoformat()


async def new_hazard(
    client: httpx.AsyncClient, world: World, who: str, ent: str = "E1", **extra: Any
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "enterprise_id": str(world.enterprises[ent]),
        "description": "配电箱柜门缺失",
        "category": "electrical",
        **extra,
    }
    resp = await client.post(API, json=body, headers=world.headers(who))
    assert resp.status_code == 201, resp.text
    data: dict[str, Any] = resp.json()
    return data


async def major(client: httpx.AsyncClient, world: World, ent: str = "E1") -> dict[str, Any]:
    """A major hazard by an applicable item (3.1 applies to every enterprise)."""
    return await new_hazard(client, world, "office", ent, item_codes=["3.1"])


PLAN_GENERAL = {"responsible_person": "张三", "measures": "更换柜门"}
PLAN_MAJOR = {
    **PLAN_GENERAL,
    "funds": 12000.5,
    "goal": "消除隐患",
    "interim_measures": "设置警戒",
    "emergency_plan": "启动专项预案",
}


async def act(
    client: httpx.AsyncClient,
    world: World,
    who: str,
    hazard_id: str | uuid.UUID,
    action: str,
    body: dict[str, Any],
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"{API}/{hazard_id}/{action}", json=body, headers={**world.headers(who), **headers}
    )


async def to_pending(
    client: httpx.AsyncClient, world: World, who: str, h: dict[str, Any], plan: dict[str, Any]
) -> None:
    r = await act(client, world, who, h["id"], "plan", {**plan, "deadline": tomorrow()})
    assert r.status_code == 200, r.text
    r = await act(client, world, who, h["id"], "submit", {"evidence": "已整改"})
    assert r.status_code == 200, r.text
