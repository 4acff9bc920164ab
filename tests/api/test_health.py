from __future__ import annotations

import httpx

from tests.conftest import assert_problem


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    resp = await client.get("/readyz")
    assert resp.status_code == 200
    assert resp.headers["x-request-id"]


async def test_request_id_echoed_when_sane(client: httpx.AsyncClient) -> None:
    resp = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert resp.headers["x-request-id"] == "abc-123"
    resp = await client.get("/healthz", headers={"X-Request-ID": "bad id\twith junk" * 10})
    assert resp.headers["x-request-id"] != "bad id\twith junk" * 10


async def test_unknown_route_is_problem_json(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/nope"), 404, "not_found")


async def test_english_on_request(client: httpx.AsyncClient) -> None:
    resp = await client.get("/api/v1/grids", headers={"Accept-Language": "en-US,en;q=0.9"})
    body = assert_problem(resp, 401)
    assert body["title"] == "Not authenticated"
    resp = await client.get("/api/v1/grids")
    assert assert_problem(resp, 401)["title"] == "未认证或凭据无效"
