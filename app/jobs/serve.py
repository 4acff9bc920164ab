"""The local runner inside `zhiben serve` (jobs mode `local`, the SQLite default)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from app.core.config import Settings
from app.jobs.context import build_context
from app.jobs.local import LocalRunner


@asynccontextmanager
async def local_jobs(app: Any, settings: Settings) -> AsyncIterator[None]:
    """Run the outbox beside the API for the app's lifetime; other modes start nothing."""
    if settings.resolved_jobs_mode != "local":
        yield
        return
    ctx = build_context(settings, app.state.sessionmaker, app.state.storage)
    stop = asyncio.Event()
    loop_task = asyncio.create_task(LocalRunner(ctx).serve(stop))
    try:
        yield
    finally:
        stop.set()
        await loop_task
        await ctx.http_client.aclose()
