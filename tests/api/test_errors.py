"""Errors never leak internals: a crash is a generic 500 problem, an unreachable database 503."""

from __future__ import annotations

import logging

import httpx
import pytest

from app.core.config import Settings
from app.main import create_app
from tests.conftest import TEST_SECRET, assert_problem


async def test_unhandled_error_is_generic_problem(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        with caplog.at_level(logging.ERROR, logger="zhiben"):
            resp = await client.get("/boom", headers={"X-Request-ID": "req-boom-1"})
    body = assert_problem(resp, 500, "internal_error")
    assert "secret internal detail" not in resp.text
    assert "Traceback" not in resp.text
    assert body["request_id"] == "req-boom-1"
    await app.state.engine.dispose()


async def test_readyz_is_503_when_database_unreachable(tmp_path: object) -> None:
    settings = Settings(
        database_url="postgresql://postgres@127.0.0.1:1/nowhere",
        secret_key=TEST_SECRET,
        log_level="CRITICAL",
    )
    app = create_app(settings)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/healthz")).status_code == 200
        assert_problem(await client.get("/readyz"), 503, "db_unavailable")
        resp = await client.post("/api/v1/auth/token", data={"username": "a", "password": "b"})
        assert_problem(resp, 503, "service_unavailable")
        assert resp.headers["retry-after"]
    await app.state.engine.dispose()


async def test_oversized_body_is_413_before_parsing(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        "/api/v1/grids",
        content=b"x" * (11 * 1024 * 1024),
        headers={"Content-Type": "application/json"},
    )
    assert_problem(resp, 413, "payload_too_large")


def test_production_requires_secret() -> None:
    with pytest.raises(ValueError, match="ZHIBEN_SECRET_KEY"):
        Settings(env="production", secret_key="")
    with pytest.raises(ValueError, match="ZHIBEN_SECRET_KEY"):
        Settings(env="production", secret_key="short")
    assert Settings(env="production", secret_key="k" * 40).env == "production"


def test_production_hides_docs() -> None:
    app = create_app(Settings(env="production", secret_key="k" * 40, log_level="CRITICAL"))
    paths = {getattr(r, "path", "") for r in app.routes}
    assert "/docs" not in paths
    assert "/openapi.json" not in paths
