"""The production JobContext: the app's sessions and storage, the real HTTP client and DNS."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.config import Settings
from app.core.storage import BlobStorage
from app.jobs.registry import JobContext
from app.services.webhooks.relay import make_client
from app.services.webhooks.urls import system_resolver


def build_context(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], storage: BlobStorage
) -> JobContext:
    return JobContext(
        settings=settings,
        sessionmaker=sessionmaker,
        storage=storage,
        http_client=make_client(),
        resolver=system_resolver,
    )
