"""Accidents (事故) and warning interviews (约谈): street office writes, heads read their own."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep
from app.models.accident import Accident, Interview
from app.routers._base import api_router, created_or_stored, page_of
from app.rules.accidents import AccidentGrade
from app.schemas.accident import (
    AccidentCreate,
    AccidentRead,
    AccidentUpdate,
    InterviewCreate,
    InterviewRead,
)
from app.schemas.common import Page
from app.services import accidents

router = api_router(prefix="/api/v1", tags=["accidents"])

Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get(
    "/accidents", response_model=Page[AccidentRead], responses=problem_responses(401, 403, 422)
)
async def list_accidents(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    enterprise_id: uuid.UUID | None = None,
    grade: AccidentGrade | None = None,
    year: Year = None,
) -> Page[AccidentRead]:
    """Accidents the caller may see, newest first."""
    return page_of(
        AccidentRead,
        await accidents.list_accidents(
            session,
            actor=actor,
            enterprise_id=enterprise_id,
            grade=grade,
            year=year,
            limit=page.limit,
            cursor=page.cursor,
        ),
    )


@router.post(
    "/accidents",
    status_code=201,
    response_model=AccidentRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_accident(
    body: AccidentCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> Accident:
    """Record an accident; its grade follows 493号令 第三条 (street office)."""
    return created_or_stored(
        response, await accidents.create_accident(session, actor=actor, data=body)
    )


@router.get(
    "/accidents/{accident_id}",
    response_model=AccidentRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_accident(
    accident_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> Accident:
    """One accident."""
    return await accidents.get_accident(session, actor=actor, accident_id=accident_id)


@router.patch(
    "/accidents/{accident_id}",
    response_model=AccidentRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def update_accident(
    accident_id: uuid.UUID, body: AccidentUpdate, actor: CurrentActor, session: SessionDep
) -> Accident:
    """Correct figures (补报); the grade is derived again (street office)."""
    return await accidents.update_accident(session, actor=actor, accident_id=accident_id, data=body)


@router.get(
    "/interviews", response_model=Page[InterviewRead], responses=problem_responses(401, 403, 422)
)
async def list_interviews(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    enterprise_id: uuid.UUID | None = None,
    year: Year = None,
) -> Page[InterviewRead]:
    """Warning interviews the caller may see, newest first."""
    return page_of(
        InterviewRead,
        await accidents.list_interviews(
            session,
            actor=actor,
            enterprise_id=enterprise_id,
            year=year,
            limit=page.limit,
            cursor=page.cursor,
        ),
    )


@router.post(
    "/interviews",
    status_code=201,
    response_model=InterviewRead,
    responses=problem_responses(401, 403, 409, 422),
)
async def create_interview(
    body: InterviewCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> Interview:
    """Record a warning interview (警示约谈, plan §三(三)6; street office)."""
    return created_or_stored(
        response, await accidents.create_interview(session, actor=actor, data=body)
    )


@router.get(
    "/interviews/{interview_id}",
    response_model=InterviewRead,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_interview(
    interview_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> Interview:
    """One warning interview."""
    return await accidents.get_interview(session, actor=actor, interview_id=interview_id)
