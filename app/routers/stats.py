"""Statistics for dashboards (street office, dashboard role): aggregates, no personal data."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import Query

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep, SettingsDep
from app.routers._base import api_router
from app.schemas.common import BoundedDate
from app.schemas.stats import HazardSeries, Overview, Ranking, Targets
from app.services import stats

router = api_router(prefix="/api/v1/stats", tags=["stats"])

ERRORS = problem_responses(401, 403, 422)
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/overview", response_model=Overview, responses=ERRORS)
async def overview(actor: CurrentActor, session: SessionDep) -> dict[str, Any]:
    """Hazard counts by status, level, source, category, grid and sector; overdue; medians."""
    return await stats.overview(session, actor=actor)


@router.get("/hazards", response_model=HazardSeries, responses=ERRORS)
async def hazards(
    actor: CurrentActor,
    session: SessionDep,
    group_by: stats.GroupBy = stats.GroupBy.month,
    date_from: Annotated[BoundedDate | None, Query(alias="from", ge=date(2000, 1, 1))] = None,
    date_to: Annotated[BoundedDate | None, Query(alias="to")] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="group_by=enterprise 时的条数")] = 50,
) -> dict[str, Any]:
    """Hazards found between `from` and `to` (Shanghai dates), grouped for charts."""
    return await stats.hazard_series(
        session, actor=actor, group_by=group_by, date_from=date_from, date_to=date_to, limit=limit
    )


@router.get("/targets", response_model=Targets, responses=ERRORS)
async def targets(
    actor: CurrentActor, session: SessionDep, settings: SettingsDep, year: Year = None
) -> dict[str, Any]:
    """The plan's targets for the year, each with its citation and progress."""
    return await stats.targets(session, actor=actor, year=year, settings=settings)


@router.get("/ranking", response_model=Ranking, responses=ERRORS)
async def ranking(
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    year: Year = None,
) -> dict[str, Any]:
    """晾晒通报: enterprises ordered by unmet checks, then overdue hazards."""
    return await stats.ranking(
        session, actor=actor, year=year, settings=settings, limit=page.limit, cursor=page.cursor
    )
