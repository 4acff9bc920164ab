from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, IfMatchDep, PageDep, SessionDep, etag
from app.models.enterprise import Enterprise
from app.routers._base import api_router, created_or_stored
from app.rules.enterprise_kinds import Feature, Sector, Tier
from app.schemas.common import Page, SearchText
from app.schemas.enterprise import EnterpriseCreate, EnterpriseRead, EnterpriseUpdate
from app.services import enterprises

router = api_router(prefix="/api/v1/enterprises", tags=["enterprises"])


@router.get("", response_model=Page[EnterpriseRead], responses=problem_responses(401, 403, 422))
async def list_enterprises(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    grid_id: uuid.UUID | None = None,
    tier: Tier | None = None,
    sector: Sector | None = None,
    feature: Feature | None = None,
    q: Annotated[SearchText | None, Query()] = None,
) -> Page[EnterpriseRead]:
    """Enterprises the caller may see, by name."""
    items, nxt = await enterprises.list_enterprises(
        session,
        actor=actor,
        grid_id=grid_id,
        tier=tier,
        sector=sector,
        feature=feature,
        q=q,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[EnterpriseRead](
        items=[EnterpriseRead.model_validate(e) for e in items], next_cursor=nxt
    )


@router.post(
    "",
    status_code=201,
    response_model=EnterpriseRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_enterprise(
    body: EnterpriseCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> Enterprise:
    """Register an enterprise (street office)."""
    ent = created_or_stored(
        response, await enterprises.create_enterprise(session, actor=actor, data=body)
    )
    response.headers["ETag"] = etag(ent.version)
    return ent


@router.get(
    "/{enterprise_id}",
    response_model=EnterpriseRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_enterprise(
    enterprise_id: uuid.UUID, actor: CurrentActor, session: SessionDep, response: Response
) -> Enterprise:
    """One enterprise."""
    ent = await enterprises.get_enterprise(session, actor=actor, enterprise_id=enterprise_id)
    response.headers["ETag"] = etag(ent.version)
    return ent


@router.patch(
    "/{enterprise_id}",
    response_model=EnterpriseRead,
    responses=problem_responses(401, 403, 404, 409, 412, 422),
)
async def update_enterprise(
    enterprise_id: uuid.UUID,
    body: EnterpriseUpdate,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> Enterprise:
    """Change fields; an enterprise head only its contact fields (others → 403 naming them)."""
    ent = await enterprises.update_enterprise(
        session,
        actor=actor,
        enterprise_id=enterprise_id,
        data=body,
        if_match=if_match,
    )
    response.headers["ETag"] = etag(ent.version)
    return ent
