"""方案 三(三)4 principal checks per period in /stats/targets (issue 11): the period of a
check is computed in SQL from its Shanghai month ((m - 1) * per_year // 12 over
principal_check_months); checked for every allowed period length at the month boundaries,
with the expected figures written out here, on both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from tests.api.records_helpers import add_principal_check
from tests.conftest import World

# Shanghai months 1, 3, 4, 6, 7, 12 of 2025, each at the edge of its month.
CHECKS = [
    "2024-12-31T16:00:00+00:00",  # 2025-01-01 00:00 Shanghai
    "2025-03-31T23:59:59+08:00",
    "2025-04-01T00:00:00+08:00",
    "2025-06-30T23:59:59+08:00",
    "2025-07-01T00:00:00+08:00",
    "2025-12-31T15:59:59+00:00",  # 2025-12-31 23:59:59 Shanghai
]
OUTSIDE = ["2024-12-31T15:59:59+00:00", "2025-12-31T16:00:00+00:00"]  # 2024 and 2026


@pytest.mark.parametrize(
    ("per_year", "covered"),
    [(1, 1), (2, 2), (4, 4), (12, 6)],  # months {1,3,4,6,7,12} in 1, 2, 4 and 6 periods
)
async def test_principal_check_periods(
    client: httpx.AsyncClient,
    db: AsyncSession,
    world: World,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    per_year: int,
    covered: int,
) -> None:
    monkeypatch.setattr(settings, "principal_checks_per_year", per_year)
    for instant in CHECKS + OUTSIDE:
        await add_principal_check(db, world, "E1", instant)
    resp = await client.get(
        "/api/v1/stats/targets", params={"year": 2025}, headers=world.headers("office")
    )
    assert resp.status_code == 200, resp.text
    t: dict[str, Any] = {x["code"]: x for x in resp.json()["targets"]}["principal_checks"]
    # Due: the world's 2 enterprises (neither smelting) × every period of a closed year.
    assert (t["target_value"], t["actual"], t["done"]) == (2 * per_year, covered, 6)
