from __future__ import annotations

from fastapi import Request
from sqlalchemy import text

from app.core.errors import ServiceUnavailable, problem_responses
from app.routers._base import api_router

router = api_router(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses=problem_responses(503))
async def readyz(request: Request) -> dict[str, str]:
    """The database answers."""
    try:
        async with request.app.state.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise ServiceUnavailable(
            "数据库不可用", "Database unreachable", code="db_unavailable"
        ) from exc
    return {"status": "ready"}
