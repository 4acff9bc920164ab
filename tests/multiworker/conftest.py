"""Two app instances sharing the test database and one Redis, as two uvicorn workers would.

Each instance has its own engine, session factory and rate limiter (nothing in process memory
is shared); only PostgreSQL/SQLite and Redis are common to both. Redis missing → skip, loudly,
except in CI (`CI` set), where it is a failure.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
import redis.asyncio as aioredis
from fastapi import FastAPI

from app.core.config import Settings
from app.main import create_app

REDIS_URL = os.environ.get("ZHIBEN_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@dataclass
class Instances:
    a: httpx.AsyncClient
    b: httpx.AsyncClient
    apps: tuple[FastAPI, FastAPI]


async def _redis_up(url: str) -> bool:
    client = aioredis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(await asyncio.wait_for(client.ping(), 1.0))
    except Exception:
        return False
    finally:
        await client.aclose()


@pytest.fixture
async def instances(settings: Settings, app_instance: FastAPI) -> AsyncIterator[Instances]:
    # `app_instance` is requested so conftest's clean-up empties the tables afterwards.
    if not await _redis_up(REDIS_URL):
        message = f"Redis not reachable at {REDIS_URL}: multi-worker correctness NOT tested"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    shared = settings.model_copy(update={"redis_url": REDIS_URL})
    apps = (create_app(shared), create_app(shared))
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://worker{i}")
        for i, app in enumerate(apps)
    ]
    try:
        yield Instances(clients[0], clients[1], apps)
    finally:
        for client in clients:
            await client.aclose()
        for app in apps:
            await app.state.engine.dispose()
            await app.state.limiter.aclose()
