"""Inspection plans, the 重点检查 list and 双随机 draws (plan §三(七)14) — street office."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep, SettingsDep
from app.models.inspection_plan import InspectionDraw, InspectionPlanItem
from app.routers._base import api_router, created_or_stored
from app.schemas.common import Page
from app.schemas.inspection_plan import (
    DrawCreate,
    DrawRead,
    DrawVerify,
    KeyListCoverage,
    KeyListPut,
    PlanCreate,
    PlanItemIn,
    PlanItemRead,
    PlanRead,
)
from app.services.inspection_plans import draws, plans

router = api_router(prefix="/api/v1/inspection-plans", tags=["inspection-plans"])

READ = problem_responses(401, 403, 404, 422)
WRITE = problem_responses(401, 403, 404, 409, 422)


@router.post("", status_code=201, response_model=PlanRead, responses=WRITE)
async def create_plan(
    body: PlanCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> dict[str, Any]:
    """Create the year's inspection plan with its items; the key list starts as the 区级重点."""
    return created_or_stored(response, await plans.create_plan(session, actor=actor, data=body))


@router.get("", response_model=Page[PlanRead], responses=problem_responses(401, 403, 422))
async def list_plans(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Page[PlanRead]:
    """Inspection plans, newest year first."""
    items, nxt = await plans.list_plans(
        session, actor=actor, year=year, limit=page.limit, cursor=page.cursor
    )
    return Page[PlanRead](items=[PlanRead.model_validate(p) for p in items], next_cursor=nxt)


@router.get("/{plan_id}", response_model=PlanRead, responses=READ)
async def get_plan(plan_id: uuid.UUID, actor: CurrentActor, session: SessionDep) -> dict[str, Any]:
    """One plan with its items."""
    plan = await plans.get_plan(session, actor=actor, plan_id=plan_id)
    return plans.shape(plan, (await plans.items_of(session, [plan.id]))[plan.id])


@router.post("/{plan_id}/items", status_code=201, response_model=PlanItemRead, responses=WRITE)
async def add_item(
    plan_id: uuid.UUID, body: PlanItemIn, actor: CurrentActor, session: SessionDep
) -> InspectionPlanItem:
    """Add an item (事项: name, legal basis, method, frequency, per-enterprise yearly cap)."""
    return await plans.add_item(session, actor=actor, plan_id=plan_id, data=body)


@router.get("/{plan_id}/key-list", response_model=KeyListCoverage, responses=READ)
async def key_list(plan_id: uuid.UUID, actor: CurrentActor, session: SessionDep) -> dict[str, Any]:
    """The 重点检查 list with its coverage: who is still unvisited and the days left."""
    return await plans.coverage(session, actor=actor, plan_id=plan_id)


@router.put("/{plan_id}/key-list", response_model=KeyListCoverage, responses=WRITE)
async def put_key_list(
    plan_id: uuid.UUID, body: KeyListPut, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    """Replace the 重点检查 list (区级重点 and 街道重点 enterprises)."""
    return await plans.put_key_list(session, actor=actor, plan_id=plan_id, data=body)


@router.post("/{plan_id}/draws", status_code=201, response_model=DrawRead, responses=WRITE)
async def create_draw(
    plan_id: uuid.UUID,
    body: DrawCreate,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> InspectionDraw:
    """Make and publish a 双随机 draw (immutable): objects and inspector pairs, with the seed."""
    return created_or_stored(
        response,
        await draws.create_draw(
            session, actor=actor, plan_id=plan_id, data=body, settings=settings
        ),
    )


@router.get("/{plan_id}/draws", response_model=Page[DrawRead], responses=READ)
async def list_draws(
    plan_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[DrawRead]:
    """The plan's draws, newest first."""
    items, nxt = await draws.list_draws(
        session, actor=actor, plan_id=plan_id, limit=page.limit, cursor=page.cursor
    )
    return Page[DrawRead](items=[DrawRead.model_validate(d) for d in items], next_cursor=nxt)


@router.get("/{plan_id}/draws/{draw_id}", response_model=DrawRead, responses=READ)
async def get_draw(
    plan_id: uuid.UUID, draw_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> InspectionDraw:
    """One draw with its snapshots, seed and result."""
    return await draws.get_draw(session, actor=actor, plan_id=plan_id, draw_id=draw_id)


@router.get("/{plan_id}/draws/{draw_id}/verify", response_model=DrawVerify, responses=READ)
async def verify_draw(
    plan_id: uuid.UUID, draw_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    """Recompute the draw from its stored snapshots and seed; `matches` says if it agrees."""
    return await draws.verify_draw(session, actor=actor, plan_id=plan_id, draw_id=draw_id)
