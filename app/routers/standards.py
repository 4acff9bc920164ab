from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Query

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep
from app.routers._base import api_router
from app.rules.enterprise_kinds import Feature, Sector
from app.schemas.common import Page, ParamStr, SearchText
from app.schemas.standard import (
    Checklist,
    ChecklistCounts,
    ChecklistItem,
    StandardItemRead,
    StandardRead,
)
from app.services import standards

router = api_router(tags=["standards"])


@router.get(
    "/api/v1/standards",
    response_model=Page[StandardRead],
    responses=problem_responses(401, 403, 422),
)
async def list_standards(
    actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[StandardRead]:
    """Versions of the hazard-determination standard."""
    rows, nxt = await standards.list_standards(
        session, actor=actor, limit=page.limit, cursor=page.cursor
    )
    return Page[StandardRead](items=[StandardRead.model_validate(r) for r in rows], next_cursor=nxt)


@router.get(
    "/api/v1/standards/{version}/items",
    response_model=Page[StandardItemRead],
    responses=problem_responses(401, 403, 404, 422),
)
async def list_standard_items(
    version: Annotated[ParamStr, Path(max_length=16)],
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    sector: Sector | None = None,
    feature: Feature | None = None,
    q: Annotated[SearchText | None, Query()] = None,
) -> Page[StandardItemRead]:
    """Items of one version in code order; filter by a sector's article, a feature, or text."""
    rows, nxt = await standards.list_items(
        session,
        actor=actor,
        version=version,
        sector=sector,
        feature=feature,
        q=q,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[StandardItemRead](
        items=[StandardItemRead.model_validate(r) for r in rows], next_cursor=nxt
    )


@router.get(
    "/api/v1/enterprises/{enterprise_id}/checklist",
    response_model=Checklist,
    responses=problem_responses(401, 403, 404, 422),
)
async def enterprise_checklist(
    enterprise_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> Checklist:
    """The items of the current standard that apply to this enterprise, and why."""
    standard, applicable = await standards.checklist(
        session, actor=actor, enterprise_id=enterprise_id
    )
    items = [
        ChecklistItem(
            code=i.code, article=i.article, sector=i.sector, text=i.text, applies_because=b
        )
        for i, b in applicable
    ]
    kinds = [b.split(":")[0] for _, b in applicable]
    counts = ChecklistCounts(
        general=kinds.count("general"),
        sector=kinds.count("sector"),
        feature=kinds.count("feature"),
        total=len(items),
    )
    return Checklist(
        standard_version=standard.version,
        enterprise_id=enterprise_id,
        items=items,
        counts=counts,
    )
