"""Webhook payloads carry what a dashboard needs, and the topic catalogue is published as
OpenAPI 3.1 `webhooks` (issue 12 item 8)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.audit import OutboxEvent
from tests.api.hazard_helpers import PLAN_MAJOR, act, major, tomorrow
from tests.conftest import World

HAZARD_TOPICS = [
    "hazard.created",
    "hazard.plan",
    "hazard.submit",
    "hazard.verify",
    "hazard.void",
    "hazard.supervise",
    "hazard.extend",
    "hazard.downgrade",
]


async def test_hazard_event_payload_has_the_overview_fields(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    h = await major(client, world)
    plan = {**PLAN_MAJOR, "deadline": tomorrow()}
    assert (await act(client, world, "head1", h["id"], "plan", plan)).status_code == 200
    events = (await db.scalars(select(OutboxEvent).order_by(OutboxEvent.id))).all()
    by_topic = {e.topic: e.payload for e in events if e.object_type == "hazard"}
    assert by_topic["hazard.plan"] == {
        "ledger_no": h["ledger_no"],
        "enterprise_id": str(world.enterprises["E1"]),
        "grid_id": str(world.grids["G1"]),
        "source": "enforcement",
        "category": "electrical",
        "level": "major",
        "status": "rectifying",
        "deadline": tomorrow(),
        "overdue": False,
        "supervised": False,
        "from": "reported",
    }
    assert by_topic["hazard.created"]["status"] == "reported"
    assert "from" not in by_topic["hazard.created"]
    assert "张三" not in str(by_topic)  # the responsible person never leaves in an event


def test_topic_catalogue_is_published(app_instance: FastAPI) -> None:
    spec: dict[str, Any] = app_instance.openapi()
    hooks = spec["webhooks"]
    for topic in HAZARD_TOPICS:
        body = hooks[topic]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"$ref": "#/components/schemas/HazardEvent"}, topic
    for topic in ("enterprise.created", "inspection.created", "public_report.triaged"):
        assert topic in hooks
    payload = spec["components"]["schemas"]["HazardEventPayload"]
    assert {"ledger_no", "grid_id", "deadline", "overdue", "supervised", "from"} <= set(
        payload["properties"]
    )
    ids = [item["post"]["operationId"] for item in hooks.values()]
    assert len(ids) == len(set(ids))
