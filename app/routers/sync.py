"""The change feed for the phone app's delta sync and integrations (brief §4)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, SessionDep
from app.routers._base import api_router
from app.schemas.common import ParamStr
from app.schemas.hazard import ChangeFeed, ChangeRead
from app.services.sync import read_changes

router = api_router(prefix="/api/v1/sync", tags=["sync"])


@router.get("/changes", response_model=ChangeFeed, responses=problem_responses(401, 403, 422))
async def changes(
    actor: CurrentActor,
    session: SessionDep,
    since: Annotated[
        ParamStr | None, Query(max_length=512, description="上次返回的 next_cursor")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> ChangeFeed:
    """What changed after `since` among the objects the caller may see (removals included)."""
    entries, position, has_more = await read_changes(session, actor=actor, since=since, limit=limit)
    return ChangeFeed(
        items=[ChangeRead.model_validate(e) for e in entries],
        next_cursor=position,
        has_more=has_more,
    )
