"""The app in this process over httpx's ASGI transport, for the one-request-at-a-time benches
(stats_bench, stats_trace, transition_bench, read_bench): the server's own cost without wrk,
the network or queueing.

`ZHIBEN_BENCH_ROOT=<checkout>` serves that checkout's `app` instead of this one's (the bench
scripts stay this checkout's), so two trees can alternate on the same data. Nothing may
import `app` before `in_process` runs.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.common import BENCH_PASSWORD, BENCH_SECRET


@dataclass
class InProcess:
    app: Any
    client: httpx.AsyncClient
    tokens: dict[str, str]  # an access token per user logged in


def _as_served(settings: Any) -> None:
    """The server's lifespan freezes the start-up heap (app/core/heap.py); httpx's ASGI
    transport runs no lifespan, so do what it would (an older tree without it: nothing)."""
    try:
        from app.core.heap import freeze_startup_heap
    except ImportError:
        return
    if getattr(settings, "gc_freeze_on_start", False):
        freeze_startup_heap()


@contextlib.asynccontextmanager
async def in_process(
    url: str, users: Sequence[str] = ("bench_office",)
) -> AsyncIterator[InProcess]:
    """The app on `url`, each of `users` logged in; the client sends the first one's token."""
    if os.environ.get("ZHIBEN_BENCH_ROOT"):
        sys.path.insert(0, os.environ["ZHIBEN_BENCH_ROOT"])
    from app.core.config import Settings
    from app.main import create_app

    settings = Settings(database_url=url, secret_key=BENCH_SECRET, log_level="WARNING")
    app = create_app(settings)
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://bench", timeout=120
    )
    try:
        tokens: dict[str, str] = {}
        for user in users:
            resp = await client.post(
                "/api/v1/auth/token", data={"username": user, "password": BENCH_PASSWORD}
            )
            resp.raise_for_status()
            tokens[user] = resp.json()["access_token"]
        client.headers["Authorization"] = f"Bearer {tokens[users[0]]}"
        _as_served(settings)
        yield InProcess(app, client, tokens)
    finally:
        await client.aclose()
        await app.state.engine.dispose()
