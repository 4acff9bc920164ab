"""Multi-worker correctness (issue 7): limits and idempotency records are shared through Redis
and the database, so they hold when consecutive requests land on different workers."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.conftest import TEST_PASSWORD, World, assert_problem
from tests.multiworker.conftest import Instances


async def _login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/token", data={"username": username, "password": password}
    )


async def _new_user(client: httpx.AsyncClient, world: World) -> str:
    # A fresh account per run: the limiter's Redis keys outlive the test's database.
    username = f"mw_{uuid.uuid4().hex[:12]}"
    body = {"username": username, "password": TEST_PASSWORD, "role": "dashboard"}
    resp = await client.post("/api/v1/users", json=body, headers=world.headers("office"))
    assert resp.status_code == 201, resp.text
    return username


async def test_login_failure_limit_holds_across_workers(instances: Instances, world: World) -> None:
    username = await _new_user(instances.a, world)
    workers = [instances.a, instances.b, instances.a, instances.b, instances.a]
    for worker in workers:  # 5 failures, spread over both workers
        assert_problem(await _login(worker, username, "wrong-password"), 401)
    for worker in (instances.a, instances.b):
        resp = await _login(worker, username, "wrong-password")
        assert_problem(resp, 429, "rate_limited")
        assert int(resp.headers["Retry-After"]) >= 1
    # Locked out on both workers even with the right password, until the window passes.
    assert_problem(await _login(instances.b, username, TEST_PASSWORD), 429)


async def test_login_limit_is_not_per_worker_memory(instances: Instances, world: World) -> None:
    """Control: four failures on A and none on B still let B log in (so 429 above is shared
    state reaching the limit, not something else refusing)."""
    username = await _new_user(instances.a, world)
    for _ in range(4):
        assert_problem(await _login(instances.a, username, "nope-nope"), 401)
    ok = await _login(instances.b, username, TEST_PASSWORD)
    assert ok.status_code == 200, ok.text


async def _grids_named(client: httpx.AsyncClient, world: World, name: str) -> int:
    resp = await client.get("/api/v1/grids", params={"limit": 100}, headers=world.headers("office"))
    assert resp.status_code == 200, resp.text
    return sum(1 for g in resp.json()["items"] if g["name"] == name)


async def test_idempotency_key_replays_across_workers(instances: Instances, world: World) -> None:
    name = f"多实例网格{uuid.uuid4().hex[:6]}"
    headers = {**world.headers("office"), "Idempotency-Key": str(uuid.uuid4())}
    first = await instances.a.post("/api/v1/grids", json={"name": name}, headers=headers)
    assert first.status_code == 201, first.text
    again = await instances.b.post("/api/v1/grids", json={"name": name}, headers=headers)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert await _grids_named(instances.b, world, name) == 1
    other = await instances.b.post("/api/v1/grids", json={"name": name + "x"}, headers=headers)
    assert_problem(other, 422, "idempotency_key_reused")


async def test_concurrent_same_key_on_two_workers_creates_one_row(
    instances: Instances, world: World
) -> None:
    name = f"并发网格{uuid.uuid4().hex[:6]}"
    headers = {**world.headers("office"), "Idempotency-Key": str(uuid.uuid4())}
    answers = await asyncio.gather(
        instances.a.post("/api/v1/grids", json={"name": name}, headers=headers),
        instances.b.post("/api/v1/grids", json={"name": name}, headers=headers),
    )
    statuses = sorted(r.status_code for r in answers)
    # One creates; the other replays it (201) or is told the key is in flight (409).
    assert statuses in ([201, 201], [201, 409]), [r.text for r in answers]
    assert await _grids_named(instances.a, world, name) == 1
