"""Asynchronous ledger exports (issue 13): 202 + Location, status, the file once the job has
run (same rows and scope as GET /hazards/export), only for the account that asked, expiry."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from openpyxl import load_workbook

from app.services.hazards.export import HEADERS
from app.tasks.exports import purge_expired
from tests.api.hazard_helpers import major, new_hazard
from tests.conftest import World, assert_problem
from tests.jobs_helpers import runner_for

POST = "/api/v1/hazards/exports"


async def test_export_job_lifecycle(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    g = await new_hazard(client, world, "grid1")
    m = await major(client, world)
    await new_hazard(client, world, "head2", "E2")
    resp = await client.post(POST, headers=world.headers("grid1"))
    assert resp.status_code == 202, resp.text
    job = resp.json()
    assert resp.headers["location"] == f"/api/v1/exports/{job['id']}"
    assert (job["status"], job["format"], job["file_url"]) == ("pending", "xlsx", None)
    file_url = f"/api/v1/exports/{job['id']}/file"
    assert_problem(await client.get(file_url, headers=world.headers("grid1")), 409)
    await runner_for(app_instance).drain()
    done = (await client.get(resp.headers["location"], headers=world.headers("grid1"))).json()
    assert (done["status"], done["file_url"]) == ("done", file_url)
    expires = datetime.fromisoformat(done["expires_at"]) - datetime.fromisoformat(
        done["finished_at"]
    )
    assert expires == timedelta(days=7)
    got = await client.get(file_url, headers=world.headers("grid1"))
    assert got.status_code == 200
    assert "attachment" in got.headers["content-disposition"]
    rows = list(load_workbook(io.BytesIO(got.content), read_only=True).active.iter_rows(
        values_only=True
    ))  # fmt: skip
    assert list(rows[0]) == HEADERS
    assert [r[0] for r in rows[1:]] == [m["ledger_no"], g["ledger_no"]]  # E1 only
    for who in ("grid2", "head1", "office"):  # only the account that asked
        assert_problem(await client.get(file_url, headers=world.headers(who)), 404)
        assert_problem(await client.get(resp.headers["location"], headers=world.headers(who)), 404)


async def test_csv_with_filters(client: httpx.AsyncClient, world: World, app_instance: Any) -> None:
    await new_hazard(client, world, "grid1")
    m = await major(client, world)
    resp = await client.post(
        POST, params={"format": "csv", "level": "major"}, headers=world.headers("office")
    )
    assert resp.status_code == 202, resp.text
    await runner_for(app_instance).drain()
    got = await client.get(
        f"/api/v1/exports/{resp.json()['id']}/file", headers=world.headers("office")
    )
    assert got.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert [r[0] for r in rows[1:]] == [m["ledger_no"]]


async def test_expired_file_is_gone(
    client: httpx.AsyncClient, world: World, app_instance: Any
) -> None:
    await new_hazard(client, world, "head1")
    resp = await client.post(POST, headers=world.headers("head1"))
    await runner_for(app_instance).drain()
    later = datetime.now(UTC) + timedelta(days=8)
    await purge_expired(runner_for(app_instance, clock=lambda: later).ctx, timestamp=0)
    file_url = f"/api/v1/exports/{resp.json()['id']}/file"
    assert_problem(await client.get(file_url, headers=world.headers("head1")), 410)
    status = await client.get(
        f"/api/v1/exports/{resp.json()['id']}", headers=world.headers("head1")
    )
    assert (status.json()["status"], status.json()["error"]) == ("failed", "expired")


async def test_export_refusals(client: httpx.AsyncClient, world: World) -> None:
    assert_problem(await client.post(POST, headers=world.headers("dashboard")), 403)
    assert_problem(
        await client.post(POST, params={"format": "pdf"}, headers=world.headers("office")), 422
    )
    assert (await client.post(POST)).status_code == 401
    assert_problem(
        await client.get("/api/v1/exports/not-a-uuid", headers=world.headers("office")), 422
    )
    assert_problem(
        await client.get(
            "/api/v1/exports/00000000-0000-4000-8000-000000000000", headers=world.headers("office")
        ),
        404,
    )
