"""Running background jobs in tests (jobs mode `manual`): a LocalRunner over the app's
database with a fake outbound HTTP client, resolver and clock where a test needs them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from app.jobs.local import LocalRunner
from app.jobs.registry import JobContext, Resolver
from app.models.base import utcnow


async def public_resolver(_host: str, _port: int) -> list[str]:
    return ["93.184.216.34"]  # a public address: the names in these tests do not exist


def runner_for(
    app: Any,
    *,
    http_client: httpx.AsyncClient | None = None,
    clock: Callable[[], datetime] | None = None,
    resolver: Resolver | None = None,
) -> LocalRunner:
    ctx = JobContext(
        settings=app.state.settings,
        sessionmaker=app.state.sessionmaker,
        storage=app.state.storage,
        http_client=http_client or httpx.AsyncClient(transport=httpx.MockTransport(_refuse)),
        resolver=resolver or public_resolver,
        clock=clock or utcnow,
    )
    return LocalRunner(ctx)


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected outbound request to {request.url}")
