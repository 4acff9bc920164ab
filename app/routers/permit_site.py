"""A permit's site records (issue 15): people, measures, ventilation, gas tests, interruptions
and the entry log — each a small POST with a client id, and its list."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, IfMatchDep, PageDep, SessionDep, etag
from app.models.permit_records import (
    EntryLog,
    GasTest,
    PermitInterruption,
    PermitMeasure,
    PermitPerson,
    VentilationRecord,
)
from app.routers._base import api_router
from app.schemas.common import Page
from app.schemas.permit import (
    EntryIn,
    EntryRead,
    GasTestIn,
    GasTestRead,
    InterruptionIn,
    InterruptionRead,
    MeasureIn,
    MeasureRead,
    PermitRead,
    PersonIn,
    PersonRead,
    PersonRef,
    ReasonBody,
    VentilationIn,
    VentilationRead,
    ViolationRead,
)
from app.services.permits import actions_work, guardians, queries, site

router = api_router(prefix="/api/v1/permits/{permit_id}", tags=["permits"])

READ = problem_responses(401, 403, 404, 422)
WRITE = problem_responses(401, 403, 404, 409, 412, 422)


def _status(response: Response, created: bool) -> None:
    response.status_code = 201 if created else 200


@router.post("/people", status_code=201, response_model=PersonRead, responses=WRITE)
async def add_person(
    permit_id: uuid.UUID,
    body: PersonIn,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> PermitPerson:
    """Name a person on the permit (guardians check in here before work starts)."""
    row, created = await site.add_person(session, actor=actor, permit_id=permit_id, data=body)
    _status(response, created)
    return row


@router.get("/people", response_model=Page[PersonRead], responses=READ)
async def list_people(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[PersonRead]:
    """The people named on the permit."""
    rows, nxt = await site.list_rows(
        session,
        actor=actor,
        permit_id=permit_id,
        model=PermitPerson,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[PersonRead](items=[PersonRead.model_validate(r) for r in rows], next_cursor=nxt)


@router.post("/check-in", response_model=PersonRead, responses=WRITE)
async def check_in(
    permit_id: uuid.UUID, body: PersonRef, actor: CurrentActor, session: SessionDep
) -> PermitPerson:
    """A person named on the permit arrives on site (a guardian before work starts)."""
    return await guardians.check_in(session, actor=actor, permit_id=permit_id, data=body)


@router.post("/check-out", response_model=PersonRead, responses=WRITE)
async def check_out(
    permit_id: uuid.UUID, body: PersonRef, actor: CurrentActor, session: SessionDep
) -> dict[str, Any]:
    """A person leaves the site; the last guardian leaving stops the work (13号令 art. 15)."""
    person, found = await guardians.check_out(session, actor=actor, permit_id=permit_id, data=body)
    data = PersonRead.model_validate(person).model_dump()
    data["violations"] = [ViolationRead.model_validate(v).model_dump() for v in found]
    return data


@router.post("/measures", status_code=201, response_model=MeasureRead, responses=WRITE)
async def add_measure(
    permit_id: uuid.UUID,
    body: MeasureIn,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> PermitMeasure:
    """Answer one safety measure (是否涉及, confirmer) before submitting."""
    row, created = await site.add_measure(session, actor=actor, permit_id=permit_id, data=body)
    _status(response, created)
    return row


@router.get("/measures", response_model=Page[MeasureRead], responses=READ)
async def list_measures(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[MeasureRead]:
    """The permit's safety measures as answered."""
    rows, nxt = await site.list_rows(
        session,
        actor=actor,
        permit_id=permit_id,
        model=PermitMeasure,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[MeasureRead](items=[MeasureRead.model_validate(r) for r in rows], next_cursor=nxt)


@router.post("/ventilation", status_code=201, response_model=VentilationRead, responses=WRITE)
async def add_ventilation(
    permit_id: uuid.UUID,
    body: VentilationIn,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> VentilationRecord:
    """Record ventilation (先通风): it must begin before the passing gas test."""
    row, created = await site.add_ventilation(session, actor=actor, permit_id=permit_id, data=body)
    _status(response, created)
    return row


@router.get("/ventilation", response_model=Page[VentilationRead], responses=READ)
async def list_ventilation(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[VentilationRead]:
    """The permit's ventilation records."""
    rows, nxt = await site.list_rows(
        session,
        actor=actor,
        permit_id=permit_id,
        model=VentilationRecord,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[VentilationRead](
        items=[VentilationRead.model_validate(r) for r in rows], next_cursor=nxt
    )


@router.post("/gas-tests", status_code=201, response_model=GasTestRead, responses=WRITE)
async def add_gas_test(
    permit_id: uuid.UUID,
    body: GasTestIn,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> GasTest:
    """Record a gas test in declared units; the server judges it and names the rules used."""
    row, created = await site.add_gas_test(session, actor=actor, permit_id=permit_id, data=body)
    _status(response, created)
    return row


@router.get("/gas-tests", response_model=Page[GasTestRead], responses=READ)
async def list_gas_tests(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[GasTestRead]:
    """The permit's gas tests with their verdicts."""
    rows, nxt = await site.list_rows(
        session,
        actor=actor,
        permit_id=permit_id,
        model=GasTest,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[GasTestRead](items=[GasTestRead.model_validate(r) for r in rows], next_cursor=nxt)


@router.post("/interruptions", status_code=201, response_model=PermitRead, responses=WRITE)
async def add_interruption(
    permit_id: uuid.UUID,
    body: InterruptionIn,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
    if_match: IfMatchDep = None,
) -> dict[str, Any]:
    """Record an interruption of the work (the permit is suspended until resumed)."""
    permit = await actions_work.suspend(
        session,
        actor=actor,
        permit_id=permit_id,
        data=ReasonBody(reason=body.reason),
        if_match=if_match,
    )
    response.headers["ETag"] = etag(permit.version)
    return queries.shaped(permit)


@router.get("/interruptions", response_model=Page[InterruptionRead], responses=READ)
async def list_interruptions(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[InterruptionRead]:
    """The permit's interruptions, order-stops included."""
    rows, nxt = await site.list_rows(
        session,
        actor=actor,
        permit_id=permit_id,
        model=PermitInterruption,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[InterruptionRead](
        items=[InterruptionRead.model_validate(r) for r in rows], next_cursor=nxt
    )


@router.post("/entries", status_code=201, response_model=EntryRead, responses=WRITE)
async def add_entry(
    permit_id: uuid.UUID,
    body: EntryIn,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> dict[str, Any]:
    """Log a person (and tools) in or out; a breach of 第十三条(二) becomes a hazard."""
    row, found, created = await site.add_entry(session, actor=actor, permit_id=permit_id, data=body)
    _status(response, created)
    data = EntryRead.model_validate(row).model_dump()
    data["violations"] = [ViolationRead.model_validate(v).model_dump() for v in found]
    return data


@router.get("/entries", response_model=Page[EntryRead], responses=READ)
async def list_entries(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[EntryRead]:
    """The entry log, in and out."""
    rows, nxt = await site.list_rows(
        session,
        actor=actor,
        permit_id=permit_id,
        model=EntryLog,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[EntryRead](items=[EntryRead.model_validate(r) for r in rows], next_cursor=nxt)
