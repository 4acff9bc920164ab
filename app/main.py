"""The FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.core.config import Settings, get_settings
from app.core.db import make_engine, make_read_sessionmaker, make_sessionmaker
from app.core.error_handlers import install_error_handlers
from app.core.heap import freeze_startup_heap
from app.core.logging import configure_logging
from app.core.method_override import MethodOverrideMiddleware
from app.core.middleware import (
    BodySizeLimitMiddleware,
    RequestContextMiddleware,
    TransactionRetryMiddleware,
)
from app.core.openapi import install_openapi, operation_id
from app.core.ratelimit import MemoryRateLimiter, build_limiter
from app.core.storage import LocalStorage
from app.jobs.serve import local_jobs
from app.routers import ROUTERS
from app.services.pagination import CURSOR_KEY_INFO, derive_cursor_key
from app.services.permits import rules_store
from app.services.session_hooks import SESSION_HOOKS

API_TITLE = "治本 zhiben — 工贸行业安全生产治本攻坚 API"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with local_jobs(app, settings):
            if settings.gc_freeze_on_start:
                freeze_startup_heap()
            yield
        await app.state.engine.dispose()
        close = getattr(app.state.limiter, "aclose", None)
        if close is not None:
            await close()

    prod = settings.env == "production"
    app = FastAPI(
        title=API_TITLE,
        version="1.0.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None if prod else "/docs",
        redoc_url=None,
        openapi_url=None if prod else "/openapi.json",
    )
    _build_state(app, settings)
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_openapi(app)
    _add_middleware(app, settings)
    return app


def _build_state(app: FastAPI, settings: Settings) -> None:
    """What requests share: the engine and its sessions (with the flush hooks of
    `SESSION_HOOKS`), the rate limiters and the blob storage."""
    app.state.settings = settings
    # A wrong permit rules file stops the start here, not at the first permit.
    permit_rules = rules_store.configure(settings)
    app.state.engine = make_engine(settings)
    info = {
        CURSOR_KEY_INFO: derive_cursor_key(settings.resolved_secret_key()),
        rules_store.RULES_INFO: permit_rules,
    }
    app.state.sessionmaker = make_sessionmaker(app.state.engine, info=info, hooks=SESSION_HOOKS)
    app.state.read_sessionmaker = make_read_sessionmaker(app.state.engine, info=info)
    app.state.limiter = build_limiter(settings.redis_url)
    app.state.fallback_limiter = MemoryRateLimiter()
    assert settings.upload_dir is not None  # filled in by Settings
    app.state.storage = LocalStorage(settings.upload_dir)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Added innermost first. Innermost: a retried request re-reads the body it recorded,
    # not the client's stream.
    app.add_middleware(TransactionRetryMiddleware)
    # Largest legitimate body: a 10 MB photo plus multipart framing.
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_bytes=settings.upload_max_bytes + 64 * 1024,
        json_max_bytes=settings.json_body_max_bytes,
    )
    app.add_middleware(MethodOverrideMiddleware)
    app.add_middleware(RequestContextMiddleware)
