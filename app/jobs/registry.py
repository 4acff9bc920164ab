"""Tasks are registered once, with a name, a queue and a retry policy; every engine runs the
same functions with the same policy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.storage import BlobStorage
from app.models.base import utcnow


class Resolver(Protocol):
    async def __call__(self, host: str, port: int) -> list[str]: ...


@dataclass(frozen=True)
class RetryPolicy:
    """`max_attempts` runs in all; the n-th failure waits base·2^(n-1) seconds, capped."""

    max_attempts: int = 5
    base_delay_s: int = 10
    max_delay_s: int = 3600

    def delay(self, attempts: int) -> timedelta:
        return timedelta(
            seconds=min(self.base_delay_s * 2 ** max(attempts - 1, 0), self.max_delay_s)
        )

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts


@dataclass
class JobContext:
    """What a task may use: its own sessions (it commits its own work), the clock, storage,
    and the outbound HTTP client and resolver (tests put fakes here)."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    storage: BlobStorage
    http_client: httpx.AsyncClient
    resolver: Resolver
    clock: Callable[[], datetime] = utcnow


TaskFunc = Callable[..., Awaitable[Any]]


@dataclass(frozen=True)
class TaskSpec:
    name: str
    func: TaskFunc
    queue: str = "default"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    # Periodic tasks: a cron expression (UTC); each tick runs once however many workers run.
    cron: str | None = None


class RetryLater(Exception):  # noqa: N818 (a signal to the engine, not an error of ours)
    """Raised by a task whose attempt failed in an expected way (e.g. a consumer's 503)."""


REGISTRY: dict[str, TaskSpec] = {}


def task(
    name: str, *, queue: str = "default", retry: RetryPolicy | None = None, cron: str | None = None
) -> Callable[[TaskFunc], TaskFunc]:
    """Register `async def f(ctx: JobContext, **args)` under `name` (once)."""

    def register(func: TaskFunc) -> TaskFunc:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise RuntimeError(f"task {name!r} registered twice")
        REGISTRY[name] = TaskSpec(name, func, queue, retry or RetryPolicy(), cron)
        return func

    return register


def load_tasks() -> dict[str, TaskSpec]:
    """Import every task module (registration happens on import) and return the registry."""
    import app.tasks  # noqa: F401

    return REGISTRY
