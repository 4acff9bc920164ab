"""Async exports are streamed into storage (issue 13): the stored file is the file the
streamed `GET /hazards/export` gives for the same filters, written in pieces (a tiny write
buffer here forces many), with no temp file left behind."""

from __future__ import annotations

import io
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook

from app.core import storage as storage_mod
from tests.api.hazard_helpers import major, new_hazard
from tests.conftest import World
from tests.jobs_helpers import runner_for

POST = "/api/v1/hazards/exports"
STREAMED = "/api/v1/hazards/export"


async def _stored(
    client: httpx.AsyncClient, world: World, app: Any, who: str, params: dict[str, str]
) -> tuple[dict[str, Any], bytes]:
    resp = await client.post(POST, params=params, headers=world.headers(who))
    assert resp.status_code == 202, resp.text
    await runner_for(app).drain()
    job = (await client.get(resp.headers["location"], headers=world.headers(who))).json()
    assert job["status"] == "done", job
    got = await client.get(f"/api/v1/exports/{job['id']}/file", headers=world.headers(who))
    assert got.status_code == 200
    return job, got.content


@pytest.fixture
def tiny_buffer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(storage_mod, "WRITE_BUFFER", 256)


@pytest.mark.usefixtures("tiny_buffer")
async def test_stored_csv_equals_the_streamed_one(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    for _ in range(12):
        await new_hazard(client, world, "grid1")
    await major(client, world)
    await new_hazard(client, world, "head2", "E2")
    params = {"format": "csv", "level": "general"}
    job, stored = await _stored(client, world, app_instance, "office", params)
    streamed = await client.get(STREAMED, params=params, headers=world.headers("office"))
    assert streamed.status_code == 200
    assert stored == streamed.content
    assert job["size"] == len(stored) > 256 * 4  # several buffered writes
    assert stored.count(b"\n") == 1 + 13  # header + the 13 general hazards (E1 and E2)
    root = app_instance.state.storage.root
    assert [p.name for p in root.iterdir() if p.name.startswith(".tmp-")] == []


@pytest.mark.usefixtures("tiny_buffer")
async def test_stored_xlsx_has_the_streamed_cells(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    for _ in range(5):
        await new_hazard(client, world, "grid1")
    await new_hazard(client, world, "grid2", "E2")
    params = {"format": "xlsx"}
    _job, stored = await _stored(client, world, app_instance, "grid1", params)
    streamed = await client.get(STREAMED, params=params, headers=world.headers("grid1"))

    def cells(data: bytes) -> list[tuple[Any, ...]]:
        return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))

    # Cell by cell (the zip itself carries write times): the same sheet, E1's five rows.
    assert cells(stored) == cells(streamed.content)
    assert len(cells(stored)) == 1 + 5  # the header and grid1's five hazards, not E2's
