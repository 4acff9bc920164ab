"""One wire form for every timestamp in every response (issue 12 item 9): UTC with `Z`.

The class, not an instance: every response model reachable from the route table is walked,
and each datetime in its core schema must carry the shared serializer; then one value sent
with `+08:00` comes back in the wire form on the write and on the read."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from typing import Any

import httpx
from pydantic import BaseModel

from app.main import create_app
from app.schemas.common import wire_datetime
from tests.api.hazard_helpers import new_hazard
from tests.api.test_accidents import accident
from tests.conftest import World
from tests.security.routes import api_routes

WIRE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$")


def _models(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models(arg)
    if isinstance(annotation, types.UnionType):
        for arg in annotation.__args__:
            yield from _models(arg)


def response_models(app: Any) -> set[type[BaseModel]]:
    todo: list[type[BaseModel]] = []
    for _path, route in api_routes(app):
        todo += _models(route.response_model)
        for extra in route.responses.values():
            todo += _models(extra.get("model"))
    seen: set[type[BaseModel]] = set()
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for field in model.model_fields.values():
            todo += _models(field.annotation)
    return seen


def datetime_nodes(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "datetime":
            yield node
        for child in node.values():
            yield from datetime_nodes(child)
    elif isinstance(node, list):
        for child in node:
            yield from datetime_nodes(child)


def test_every_response_datetime_uses_the_wire_form(settings: Any) -> None:
    models = response_models(create_app(settings))
    assert len(models) > 50  # the walk reaches the app's schemas, not nothing
    checked, wrong = 0, []
    for model in models:
        for node in datetime_nodes(model.__pydantic_core_schema__):
            checked += 1
            ser = node.get("serialization", {})
            if ser.get("function") is not wire_datetime or ser.get("when_used") != "json":
                wrong.append(model.__name__)
    assert checked > 50
    assert wrong == []


def test_wire_form_examples() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    shanghai = timezone(timedelta(hours=8))
    assert wire_datetime(datetime(2026, 10, 1, 8, 0, tzinfo=shanghai)) == "2026-10-01T00:00:00Z"
    assert wire_datetime(datetime(2026, 10, 1, 0, 0, 0, 5, tzinfo=UTC)) == (
        "2026-10-01T00:00:00.000005Z"
    )
    assert wire_datetime(datetime(2026, 10, 1, 0, 0)) == "2026-10-01T00:00:00Z"  # naive = UTC


async def test_offset_sent_comes_back_as_utc_z(client: httpx.AsyncClient, world: World) -> None:
    body = accident(world, occurred_at="2025-07-01T10:00:00+08:00")
    created = await client.post("/api/v1/accidents", json=body, headers=world.headers("office"))
    assert created.status_code == 201, created.text
    # The echo of the created object, before anything is read back from the database.
    assert created.json()["occurred_at"] == "2025-07-01T02:00:00Z"
    read = await client.get(
        f"/api/v1/accidents/{created.json()['id']}", headers=world.headers("office")
    )
    assert read.json()["occurred_at"] == "2025-07-01T02:00:00Z"
    hazard = await new_hazard(client, world, "grid1")
    for key in ("found_at", "created_at", "updated_at"):
        assert WIRE.match(hazard[key]), hazard[key]
