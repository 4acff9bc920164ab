"""The hazard ledger (brief §3, §4, §7): list, create, read, transitions, history, export."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from pydantic_core import to_json

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, IfMatchDep, PageDep, SessionDep, SettingsDep, etag
from app.models.hazard import Hazard, HazardCategory, HazardSource, HazardStatus
from app.routers._base import api_router
from app.rules.calendar import today_in_shanghai
from app.rules.levels import HazardLevel
from app.schemas.common import BoundedDate, Page, SearchText
from app.schemas.hazard import (
    Basis,
    ExtendBody,
    HazardCreate,
    HazardRead,
    HistoryRead,
    PlanBody,
    ReasonBody,
    SubmitBody,
    SuperviseBody,
    VerifyBody,
)
from app.schemas.hazard_overview import HazardOverview
from app.services.hazards import export, export_xlsx, queries, transitions
from app.services.hazards.create import create_via_api
from app.services.hazards.queries import HazardFilters

router = api_router(prefix="/api/v1/hazards", tags=["hazards"])

TRANSITION_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


async def hazard_filters(
    status: HazardStatus | None = None,
    level: HazardLevel | None = None,
    enterprise_id: uuid.UUID | None = None,
    grid_id: uuid.UUID | None = None,
    overdue: bool | None = None,
    source: HazardSource | None = None,
    category: HazardCategory | None = None,
    supervised: bool | None = None,
    q: Annotated[SearchText | None, Query()] = None,
    found_from: Annotated[
        BoundedDate | None, Query(description="发现日期起（上海时间，含）")
    ] = None,
    found_to: Annotated[BoundedDate | None, Query(description="发现日期止（上海时间，含）")] = None,
) -> HazardFilters:
    return HazardFilters(
        status=status,
        level=level,
        enterprise_id=enterprise_id,
        grid_id=grid_id,
        overdue=overdue,
        source=source,
        category=category,
        supervised=supervised,
        q=q,
        found_from=found_from,
        found_to=found_to,
    )


FiltersDep = Annotated[HazardFilters, Depends(hazard_filters)]


@router.get(
    "",
    response_model=Page[HazardRead] | Page[HazardOverview],
    responses=problem_responses(401, 403, 422),
)
async def list_hazards(
    actor: CurrentActor, session: SessionDep, page: PageDep, filters: FiltersDep, response: Response
) -> Page[HazardOverview] | Response:
    """The ledger, newest first, with filters (scoped to the caller; the dashboard gets the
    whole jurisdiction as `HazardOverview` rows, without personal fields)."""
    items, nxt = await queries.list_hazards(
        session, actor=actor, filters=filters, limit=page.limit, cursor=page.cursor
    )
    rows, overview = await queries.for_reader(session, actor, items)
    if overview:
        return Page[HazardOverview].model_validate({"items": rows, "next_cursor": nxt})
    return _json(response, {"items": [_read_wire(r) for r in rows], "next_cursor": nxt})


# The ledger row in `HazardRead`'s field order. Issue 11: the hot reads are sent from the
# shaped rows by pydantic-core's encoder, skipping a validation of values just read from the
# database and the Python datetime hook of `Schema` (their datetimes are aware UTC already,
# which pydantic-core writes in the same wire form); the bytes are the model's
# (tests/perf/test_hazard_wire.py compares them).
_READ_FIELDS = tuple(HazardRead.model_fields)


def _read_wire(row: dict[str, Any]) -> dict[str, Any]:
    out = {key: row[key] for key in _READ_FIELDS}
    # The stored JSON may lack defaulted keys or hold a non-UTC timestamp: the model's own.
    out["basis"] = Basis.model_validate(row["basis"])
    return out


def _json(response: Response, content: dict[str, Any]) -> Response:
    """A JSON answer carrying the headers set on the injected response (FastAPI merges them
    only into answers it builds itself)."""
    out = Response(to_json(content), media_type="application/json")
    out.headers.raw.extend(response.headers.raw)
    return out


@router.post(
    "",
    status_code=201,
    response_model=HazardRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_hazard(
    body: HazardCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> dict[str, Any]:
    """Register a hazard; its level follows the determination rules."""
    hazard, created = await create_via_api(session, actor=actor, body=body)
    response.status_code = 201 if created else 200
    response.headers["ETag"] = etag(hazard.version)
    return await queries.shaped(session, hazard)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                "text/csv": {},
            }
        },
        **problem_responses(401, 403, 422),
    },
)
async def export_hazards(
    request: Request,
    actor: CurrentActor,
    filters: FiltersDep,
    format: Literal["xlsx", "csv"] = "xlsx",  # noqa: A002 — the contract's parameter name
) -> StreamingResponse:
    """The ledger (隐患台账) as .xlsx or CSV, same filters as the list, streamed."""
    export.check_export(actor)
    maker = request.app.state.sessionmaker
    if format == "csv":
        body, media = export.stream_csv(maker, actor, filters), "text/csv; charset=utf-8"
    else:
        place = request.app.state.settings.jurisdiction_name
        body = export_xlsx.stream_xlsx(maker, actor, filters, jurisdiction=place)
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"hazard-ledger-{today_in_shanghai().isoformat()}.{format}"
    return StreamingResponse(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get(
    "/{hazard_id}",
    response_model=HazardRead | HazardOverview,
    responses=problem_responses(401, 403, 404, 422),
)
async def get_hazard(
    hazard_id: uuid.UUID, actor: CurrentActor, session: SessionDep, response: Response
) -> HazardOverview | Response:
    """One hazard, with its ETag (the dashboard: its `HazardOverview`)."""
    data = await queries.read_hazard(session, actor=actor, hazard_id=hazard_id)
    response.headers["ETag"] = etag(data["version"])
    rows, overview = await queries.for_reader(session, actor, [data])
    if overview:
        return HazardOverview.model_validate(rows[0])
    return _json(response, _read_wire(rows[0]))


@router.get(
    "/{hazard_id}/history",
    response_model=Page[HistoryRead],
    responses=problem_responses(401, 403, 404, 422),
)
async def hazard_history(
    hazard_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[HistoryRead]:
    """Every transition of a hazard, oldest first (the first is the creation)."""
    rows, nxt = await queries.list_history(
        session, actor=actor, hazard_id=hazard_id, limit=page.limit, cursor=page.cursor
    )
    return Page[HistoryRead](items=[HistoryRead.model_validate(r) for r in rows], next_cursor=nxt)


# The transition routes, one per action of the state machine (services/hazards/machine.py):
# (action, request body, the route's one-line doc). Each answers the updated hazard + ETag.
TRANSITION_ROUTES: list[tuple[str, type[BaseModel], str]] = [
    (
        "plan",
        PlanBody,
        "Rectification plan: reported → rectifying (major: 五落实 fields required).",
    ),
    ("submit", SubmitBody, "Submit rectification evidence: rectifying → pending_verification."),
    (
        "verify",
        VerifyBody,
        "Verify: pass → closed; fail (note) → rectifying, optional new deadline.",
    ),
    ("void", ReasonBody, "Void a reported or rectifying hazard (street office, reason)."),
    ("supervise", SuperviseBody, "挂牌督办 a major hazard (street office)."),
    ("extend", ExtendBody, "Extend the deadline (the verifier; major: street office)."),
    ("downgrade", ReasonBody, "Downgrade major → general (street office, reason)."),
]


def _add_transition_route(action: str, body_model: type[BaseModel], doc: str) -> None:
    op: Callable[..., Awaitable[Hazard]] = getattr(transitions, action)

    # Actions that set a deadline get the plan horizon (issue 10 finding 12).
    horizon = action in ("plan", "verify", "extend")

    async def endpoint(
        hazard_id: uuid.UUID,
        body: BaseModel,
        actor: CurrentActor,
        session: SessionDep,
        settings: SettingsDep,
        response: Response,
        if_match: IfMatchDep = None,
    ) -> dict[str, Any]:
        extra = {"horizon_days": settings.plan_horizon_days} if horizon else {}
        hazard = await op(
            session, actor=actor, hazard_id=hazard_id, data=body, if_match=if_match, **extra
        )
        response.headers["ETag"] = etag(hazard.version)
        return await queries.shaped(session, hazard)

    # FastAPI reads the body type from the annotation: give each route its own model.
    endpoint.__annotations__ = {**endpoint.__annotations__, "body": body_model}
    endpoint.__name__ = endpoint.__qualname__ = f"{action}_hazard"
    endpoint.__doc__ = doc
    router.post(f"/{{hazard_id}}/{action}", response_model=HazardRead, responses=TRANSITION_ERRORS)(
        endpoint
    )


for _action, _body, _doc in TRANSITION_ROUTES:
    _add_transition_route(_action, _body, _doc)
