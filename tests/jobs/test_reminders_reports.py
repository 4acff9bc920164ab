"""Untriaged public reports (issue 13): "2 working days" counts the official calendar —
a report received the day before 国庆 is chased only after the holiday — and the settings'
additions change it without a code change."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.public_report import PublicReport
from app.rules.calendar import SHANGHAI
from tests.api.public_helpers import IN_BOX, post_report
from tests.conftest import World
from tests.jobs.test_reminders import scan


async def _report_received(client: httpx.AsyncClient, db: AsyncSession, day: date) -> str:
    resp = await post_report(
        client, enterprise_name="测试企业E1", location_text="东门仓库", **IN_BOX
    )
    assert resp.status_code == 201, resp.text
    code: str = resp.json()["receipt_code"]
    at = datetime.combine(day, time(10), tzinfo=SHANGHAI)
    await db.execute(
        update(PublicReport).where(PublicReport.receipt_code == code).values(received_at=at)
    )
    await db.commit()
    return code


async def _chases(client: httpx.AsyncClient, world: World, who: str) -> list[Any]:
    resp = await client.get(
        "/api/v1/notifications", params={"kind": "report_untriaged"}, headers=world.headers(who)
    )
    assert resp.status_code == 200, resp.text
    items: list[Any] = resp.json()["items"]
    return items


async def test_report_before_national_day_is_chased_after_the_holiday(
    client: httpx.AsyncClient, world: World, app_instance: Any, db: AsyncSession
) -> None:
    code = await _report_received(client, db, date(2025, 9, 30))  # Tue, the day before 国庆
    for day in (date(2025, 10, 2), date(2025, 10, 8), date(2025, 10, 9)):
        await scan(app_instance, day)
    assert await _chases(client, world, "grid1") == []  # 10-01..10-08 off; 10-09 is day 1
    await scan(app_instance, date(2025, 10, 10))  # Fri: the 2nd working day
    [chase] = await _chases(client, world, "grid1")
    assert code in chase["title"]
    assert "已 2 个工作日未研判" in chase["body"]
    assert await _chases(client, world, "office") == []
    await scan(app_instance, date(2025, 10, 11))  # 调休 Saturday: the 3rd working day
    assert await _chases(client, world, "office") == []
    await scan(app_instance, date(2025, 10, 13))  # Mon: the 4th → the street office
    [office] = await _chases(client, world, "office")
    assert "已 4 个工作日未研判" in office["body"]


async def test_a_day_off_added_in_settings_counts(
    client: httpx.AsyncClient,
    world: World,
    app_instance: Any,
    db: AsyncSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 2027 has no notice in the code: Mon–Fri, unless the settings add days.
    monkeypatch.setattr(app_instance.state.settings, "holidays_extra", [date(2027, 3, 2)])
    await _report_received(client, db, date(2027, 3, 1))  # Mon
    await scan(app_instance, date(2027, 3, 3))  # Tue off by the setting: 1 working day
    assert await _chases(client, world, "grid1") == []
    await scan(app_instance, date(2027, 3, 4))
    assert len(await _chases(client, world, "grid1")) == 1
