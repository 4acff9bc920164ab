"""Issue 11: the overview's figures for a grid scope (read from the grid-grain rollups,
filtered by grid) and for one enterprise (counted on the ledger) equal counts made here.

Only the street office and the dashboard hold stats:read today, so no HTTP client reaches
these scopes: the service's figure functions are called directly, past `authorize`, to keep
the scoped paths (policy.stats_enterprise_scope) exact should the permission widen."""

from __future__ import annotations

import importlib
import json
import statistics
import uuid
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.user import Role
from app.rules.calendar import SHANGHAI, today_in_shanghai
from app.services.policy import Actor
from tests.api.test_stats import group, make_ledger
from tests.conftest import World

overview = importlib.import_module("app.services.stats.overview")


def _check(got: dict[str, Any], mine: list[dict[str, Any]], enterprises: int) -> None:
    year = today_in_shanghai().year
    assert got["enterprises"] == enterprises
    expected = group(mine)
    for key in ("hazards_open", "major_open", "overdue", "closed"):
        assert got[key] == expected[key], key
    for dim in ("status", "level", "source", "category"):
        assert got[f"by_{dim}"] == dict(Counter(s[dim] for s in mine)), dim
    assert got["closed_this_year"] == sum(
        1 for s in mine if s["closed"] and s["closed"].astimezone(SHANGHAI).year == year
    )
    for level in ("general", "major"):
        days = [
            (s["closed"] - s["found"]).total_seconds() / 86400
            for s in mine
            if s["closed"] and s["level"] == level
        ]
        want = round(statistics.median(days), 2) if days else None
        assert got["median_days_to_close"][level] == pytest.approx(want, abs=0.011), level


async def _figures(db: AsyncSession, actor: Actor) -> dict[str, Any]:
    got = await overview._figures(db, actor, today_in_shanghai())
    got["median_days_to_close"] = await overview.median_days_to_close(db, actor)
    return json.loads(json.dumps(got, default=str))


async def test_grid_scope_reads_the_rollups_of_its_grids(db: AsyncSession, world: World) -> None:
    specs = await make_ledger(db, world)
    actor = Actor(
        user_id=uuid.uuid4(),
        username="g",
        role=Role.grid_staff,
        grid_ids=frozenset({world.grids["G1"]}),
    )
    got = await _figures(db, actor)
    _check(got, [s for s in specs if s["grid"] == "G1"], enterprises=2)
    assert [g["grid_name"] for g in got["by_grid"]] == ["网格G1"]


async def test_enterprise_scope_counts_its_ledger(db: AsyncSession, world: World) -> None:
    specs = await make_ledger(db, world)
    actor = Actor(
        user_id=uuid.uuid4(),
        username="h",
        role=Role.enterprise_head,
        enterprise_id=world.enterprises["E3"],
    )
    _check(await _figures(db, actor), [s for s in specs if s["ent"] == "E3"], enterprises=1)
