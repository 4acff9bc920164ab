"""The change feed for the phone app's delta sync and integrations (brief §4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, SessionDep
from app.routers._base import api_router
from app.schemas.common import ParamStr
from app.schemas.enterprise import EnterpriseRead
from app.schemas.hazard import HazardRead
from app.schemas.hazard_overview import HazardOverview
from app.schemas.inspection import InspectionRead
from app.schemas.sync import SYNC_PERMIT_MODELS, ChangeFeed, ChangeWithObject
from app.services.sync import FeedEntry, read_changes
from app.services.sync.objects import current_objects

router = api_router(prefix="/api/v1/sync", tags=["sync"])


@router.get("/changes", response_model=ChangeFeed, responses=problem_responses(401, 403, 422))
async def changes(
    actor: CurrentActor,
    session: SessionDep,
    since: Annotated[
        ParamStr | None, Query(max_length=512, description="上次返回的 next_cursor")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    include: Annotated[
        Literal["object"] | None,
        Query(description="object：每条变更附带对象的当前内容，一次请求同步一页"),
    ] = None,
) -> ChangeFeed:
    """What changed after `since` among the objects the caller may see (removals included)."""
    entries, position, has_more = await read_changes(session, actor=actor, since=since, limit=limit)
    objects: dict[Any, Any] = {}
    overview = False
    if include == "object":
        objects, overview = await current_objects(session, actor=actor, entries=entries)
    items = [_item(e, objects.get(e.object_id), overview) for e in entries]
    return ChangeFeed(items=items, next_cursor=position, has_more=has_more)


def _item(entry: FeedEntry, obj: Any, overview: bool) -> ChangeWithObject:
    item = ChangeWithObject.model_validate(entry)
    if obj is not None and entry.op != "removed":
        model: Any = {
            "hazard": HazardOverview if overview else HazardRead,
            "enterprise": EnterpriseRead,
            "inspection": InspectionRead,
            **SYNC_PERMIT_MODELS,
        }[entry.object_type]
        item.object = model.model_validate(obj)
    return item
