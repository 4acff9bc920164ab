"""Permits to work (作业票, issue 15): create, list, read, edit a draft, history, the live view,
and one POST per transition of the lifecycle (services/permits/machine.py)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Response
from pydantic import BaseModel

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, IfMatchDep, PageDep, SessionDep, etag
from app.models.permit import Permit, PermitStatus
from app.routers._base import api_router
from app.rules.permits.kinds import AnyGrade, PermitType
from app.schemas.common import Page, ParamStr
from app.schemas.permit import (
    CompleteBody,
    LivePermit,
    OptionalNote,
    OrderStopBody,
    PermitCreate,
    PermitHistoryRead,
    PermitRead,
    PermitUpdate,
    ReasonBody,
    ResumeBody,
    SignBody,
    StartBody,
)
from app.schemas.permit_rules import PermitRulesRead, PermitRuleValue
from app.services.permits import actions, actions_work, create, labels, live, queries, rules_store

router = api_router(prefix="/api/v1/permits", tags=["permits"])
_ = labels, actions_work  # registers the enum labels and the work-phase transition handlers

READ_ERRORS = problem_responses(401, 403, 404, 422)
TRANSITION_ERRORS = problem_responses(401, 403, 404, 409, 412, 422)


async def permit_filters(
    enterprise_id: uuid.UUID | None = None,
    type: PermitType | None = None,  # noqa: A002 — the contract's parameter name
    status: PermitStatus | None = None,
    grade: AnyGrade | None = None,
) -> queries.PermitFilters:
    return queries.PermitFilters(enterprise_id, type, status, grade)


async def live_filters(
    type: PermitType | None = None,  # noqa: A002
    grade: AnyGrade | None = None,
    grid_id: uuid.UUID | None = None,
) -> live.LiveFilters:
    return live.LiveFilters(type, grade, grid_id)


@router.get("", response_model=Page[PermitRead], responses=problem_responses(401, 403, 422))
async def list_permits(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    filters: Annotated[queries.PermitFilters, Depends(permit_filters)],
) -> Page[PermitRead]:
    """Permits in the caller's scope, newest first."""
    items, nxt = await queries.list_permits(
        session, actor=actor, filters=filters, limit=page.limit, cursor=page.cursor
    )
    return Page[PermitRead](
        items=[PermitRead.model_validate(queries.shaped(p)) for p in items], next_cursor=nxt
    )


@router.post(
    "",
    status_code=201,
    response_model=PermitRead,
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def create_permit(
    body: PermitCreate, actor: CurrentActor, session: SessionDep, response: Response
) -> dict[str, Any]:
    """Create a draft permit; its grade and validity are computed from the facts given."""
    permit, created = await create.create_permit(session, actor=actor, body=body)
    response.status_code = 201 if created else 200
    response.headers["ETag"] = etag(permit.version)
    return queries.shaped(permit)


@router.get("/live", response_model=Page[LivePermit], responses=problem_responses(401, 403, 422))
async def live_view(
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    filters: Annotated[live.LiveFilters, Depends(live_filters)],
) -> Page[LivePermit]:
    """Permits being worked now in the caller's jurisdiction (street office, grid staff)."""
    items, nxt = await live.live_permits(
        session, actor=actor, filters=filters, limit=page.limit, cursor=page.cursor
    )
    return Page[LivePermit](items=[LivePermit.model_validate(i) for i in items], next_cursor=nxt)


@router.get("/rules", response_model=PermitRulesRead, responses=READ_ERRORS)
async def permit_rules(
    actor: CurrentActor,
    session: SessionDep,
    version: Annotated[
        ParamStr | None, Query(max_length=64, description="作业票的 rules_version；默认现行版本")
    ] = None,
) -> PermitRulesRead:
    """The permit rules in force (or of an earlier version), each value with its citation."""
    ruleset = await rules_store.describe(session, actor=actor, version=version)
    current = rules_store.current(session).rules.version == ruleset.rules.version
    values = [
        PermitRuleValue(
            key=key,
            overridden=row["value"] != row["default"] or row["citation"] != row["default_citation"],
            **row,
        )
        for key, row in ruleset.table.items()
    ]
    return PermitRulesRead(
        version=ruleset.rules.version,
        jurisdiction=ruleset.jurisdiction,
        current=current,
        values=values,
    )


@router.get("/{permit_id}", response_model=PermitRead, responses=READ_ERRORS)
async def get_permit(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, response: Response
) -> dict[str, Any]:
    """One permit, with its ETag and the actions its state allows."""
    permit = await queries.get_permit(session, actor=actor, permit_id=permit_id)
    response.headers["ETag"] = etag(permit.version)
    return queries.shaped(permit)


@router.patch("/{permit_id}", response_model=PermitRead, responses=TRANSITION_ERRORS)
async def update_permit(
    permit_id: uuid.UUID,
    body: PermitUpdate,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> dict[str, Any]:
    """Edit a draft or rejected permit; after submitting, a change needs a new permit."""
    permit = await create.update_permit(
        session, actor=actor, permit_id=permit_id, body=body, if_match=if_match
    )
    response.headers["ETag"] = etag(permit.version)
    return queries.shaped(permit)


@router.get("/{permit_id}/history", response_model=Page[PermitHistoryRead], responses=READ_ERRORS)
async def permit_history(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[PermitHistoryRead]:
    """Every transition of a permit, oldest first (the first is the creation)."""
    rows, nxt = await queries.list_history(
        session, actor=actor, permit_id=permit_id, limit=page.limit, cursor=page.cursor
    )
    return Page[PermitHistoryRead](
        items=[PermitHistoryRead.model_validate(r) for r in rows], next_cursor=nxt
    )


# (action, body, doc): one POST route per transition, each answering the permit + ETag.
TRANSITION_ROUTES: list[tuple[str, type[BaseModel], str]] = [
    ("submit", OptionalNote, "Submit for approval: every catalogue measure answered."),
    ("sign", SignBody, "Sign the next B.1 step; the last one, on site, approves."),
    ("reject", ReasonBody, "Reject at the current step with a reason: back to the applicant."),
    (
        "start",
        StartBody,
        "Start work: validity, wind, watch on site, related permit, gas test, certificates.",
    ),
    ("suspend", ReasonBody, "Suspend (interrupt) the work, with a reason."),
    (
        "resume",
        ResumeBody,
        "Resume: wind, watch, re-test after the interruption or on a new day.",
    ),
    ("revoke", ReasonBody, "Withdraw the permit during work (GB 30871 4.10)."),
    (
        "complete",
        CompleteBody,
        "Work done: people and tools out (confined); no residual fire (hot work).",
    ),
    ("accept", OptionalNote, "完工验收 (GB 30871 4.15): closes the permit."),
    ("cancel", ReasonBody, "Cancel before work starts, with a reason."),
    ("expire", OptionalNote, "Mark a permit past its validity as expired."),
    ("order-stop", OrderStopBody, "责令暂停 (13号令 art. 18, street office), with findings."),
    ("consent", OptionalNote, "审查同意 after an order-stop (street office)."),
]


def _add_transition_route(action: str, body_model: type[BaseModel], doc: str) -> None:
    op: Callable[..., Awaitable[Permit]] = actions.operation(action.replace("-", "_"))

    async def endpoint(
        permit_id: uuid.UUID,
        body: BaseModel,
        actor: CurrentActor,
        session: SessionDep,
        response: Response,
        if_match: IfMatchDep = None,
    ) -> dict[str, Any]:
        permit = await op(session, actor=actor, permit_id=permit_id, data=body, if_match=if_match)
        response.headers["ETag"] = etag(permit.version)
        return queries.shaped(permit)

    endpoint.__annotations__ = {**endpoint.__annotations__, "body": body_model}
    endpoint.__name__ = endpoint.__qualname__ = f"{action.replace('-', '_')}_permit"
    endpoint.__doc__ = doc
    router.post(f"/{{permit_id}}/{action}", response_model=PermitRead, responses=TRANSITION_ERRORS)(
        endpoint
    )


for _action, _body, _doc in TRANSITION_ROUTES:
    _add_transition_route(_action, _body, _doc)
