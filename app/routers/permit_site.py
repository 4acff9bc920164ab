"""A permit's site records (issue 15): people, measures, ventilation, gas tests, interruptions
and the entry log — each a small POST with a client id, and its list. The six add/list pairs
have one shape, so they are declared from `SITE_ROUTES` (as the transitions in permits.py);
handler names, and so operation ids and summaries, are those of the table."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast

from fastapi import Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, IfMatchDep, PageDep, SessionDep, etag
from app.models.permit_ops import PermitPhoto
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
from app.schemas.permit_photos import PermitPhotoRead, PermitPhotosIn
from app.services.permits import actions_work, guardians, photos, queries, site
from app.services.policy import Actor

router = api_router(prefix="/api/v1/permits/{permit_id}", tags=["permits"])

READ = problem_responses(401, 403, 404, 422)
WRITE = problem_responses(401, 403, 404, 409, 412, 422)


def _status(response: Response, created: bool) -> None:
    response.status_code = 201 if created else 200


# (session, actor, permit id, body, If-Match) → (response body, created, ETag or None)
Adder = Callable[
    [AsyncSession, Actor, uuid.UUID, Any, int | None], Awaitable[tuple[Any, bool, str | None]]
]


def _plain(add: Callable[..., Awaitable[tuple[Any, bool]]]) -> Adder:
    async def adder(
        session: AsyncSession, actor: Actor, permit_id: uuid.UUID, body: Any, _m: int | None
    ) -> tuple[Any, bool, str | None]:
        row, created = await add(session, actor=actor, permit_id=permit_id, data=body)
        return row, created, None

    return adder


async def _entry(
    session: AsyncSession, actor: Actor, permit_id: uuid.UUID, body: EntryIn, _m: int | None
) -> tuple[Any, bool, str | None]:
    row, found, created = await site.add_entry(session, actor=actor, permit_id=permit_id, data=body)
    data = EntryRead.model_validate(row).model_dump()
    data["violations"] = [ViolationRead.model_validate(v).model_dump() for v in found]
    return data, created, None


async def _interruption(
    session: AsyncSession,
    actor: Actor,
    permit_id: uuid.UUID,
    body: InterruptionIn,
    if_match: int | None,
) -> tuple[Any, bool, str | None]:
    permit = await actions_work.suspend(
        session,
        actor=actor,
        permit_id=permit_id,
        data=ReasonBody(reason=body.reason),
        if_match=if_match,
    )
    return queries.shaped(permit), True, etag(permit.version)


@dataclass(frozen=True)
class SiteRoute:
    path: str
    names: tuple[str, str]  # add handler, list handler (operation ids)
    body: type[BaseModel]
    read: type[BaseModel]
    model: type[Any]
    add: Adder
    docs: tuple[str, str]
    # The add's answer when it is not `read` (an interruption answers the permit + ETag).
    answer: type[BaseModel] | None = None


SITE_ROUTES = [
    SiteRoute(
        "people",
        ("add_person", "list_people"),
        PersonIn,
        PersonRead,
        PermitPerson,
        _plain(site.add_person),
        (
            "Name a person on the permit (guardians check in here before work starts).",
            "The people named on the permit.",
        ),
    ),
    SiteRoute(
        "measures",
        ("add_measure", "list_measures"),
        MeasureIn,
        MeasureRead,
        PermitMeasure,
        _plain(site.add_measure),
        (
            "Answer one safety measure (是否涉及, confirmer) before submitting.",
            "The permit's safety measures as answered.",
        ),
    ),
    SiteRoute(
        "ventilation",
        ("add_ventilation", "list_ventilation"),
        VentilationIn,
        VentilationRead,
        VentilationRecord,
        _plain(site.add_ventilation),
        (
            "Record ventilation (先通风): it must begin before the passing gas test.",
            "The permit's ventilation records.",
        ),
    ),
    SiteRoute(
        "gas-tests",
        ("add_gas_test", "list_gas_tests"),
        GasTestIn,
        GasTestRead,
        GasTest,
        _plain(site.add_gas_test),
        (
            "Record a gas test in declared units; the server judges it and names the rules used.",
            "The permit's gas tests with their verdicts.",
        ),
    ),
    SiteRoute(
        "interruptions",
        ("add_interruption", "list_interruptions"),
        InterruptionIn,
        InterruptionRead,
        PermitInterruption,
        _interruption,
        (
            "Record an interruption of the work (the permit is suspended until resumed).",
            "The permit's interruptions, order-stops included.",
        ),
        answer=PermitRead,
    ),
    SiteRoute(
        "entries",
        ("add_entry", "list_entries"),
        EntryIn,
        EntryRead,
        EntryLog,
        _entry,
        (
            "Log a person (and tools) in or out; a breach of 第十三条(二) becomes a hazard.",
            "The entry log, in and out.",
        ),
    ),
]


def _named(func: Callable[..., Any], name: str, doc: str) -> Callable[..., Any]:
    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc
    return func


def _add_route(spec: SiteRoute) -> None:
    async def add(
        permit_id: uuid.UUID,
        body: BaseModel,
        actor: CurrentActor,
        session: SessionDep,
        response: Response,
    ) -> Any:
        data, created, _tag = await spec.add(session, actor, permit_id, body, None)
        _status(response, created)
        return data

    async def add_if_match(
        permit_id: uuid.UUID,
        body: BaseModel,
        actor: CurrentActor,
        session: SessionDep,
        response: Response,
        if_match: IfMatchDep = None,
    ) -> Any:
        data, created, tag = await spec.add(session, actor, permit_id, body, if_match)
        _status(response, created)
        if tag is not None:
            response.headers["ETag"] = tag
        return data

    endpoint = add_if_match if spec.answer is not None else add
    endpoint.__annotations__ = {**endpoint.__annotations__, "body": spec.body}
    router.post(
        f"/{spec.path}", status_code=201, response_model=spec.answer or spec.read, responses=WRITE
    )(_named(endpoint, spec.names[0], spec.docs[0]))


def _list_route(spec: SiteRoute) -> None:
    page_model: Any = cast(Any, Page)[spec.read]

    async def lister(
        permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
    ) -> Any:
        rows, nxt = await site.list_rows(
            session,
            actor=actor,
            permit_id=permit_id,
            model=spec.model,
            limit=page.limit,
            cursor=page.cursor,
        )
        return page_model(items=[spec.read.model_validate(r) for r in rows], next_cursor=nxt)

    router.get(f"/{spec.path}", response_model=page_model, responses=READ)(
        _named(lister, spec.names[1], spec.docs[1])
    )


# People first, then check-in/out, then the other records: the document's order before the fold.
_add_route(SITE_ROUTES[0])
_list_route(SITE_ROUTES[0])


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


for _spec in SITE_ROUTES[1:]:
    _add_route(_spec)
    _list_route(_spec)


@router.post("/photos", status_code=201, response_model=list[PermitPhotoRead], responses=WRITE)
async def attach_permit_photos(
    permit_id: uuid.UUID,
    body: PermitPhotosIn,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> list[PermitPhoto]:
    """Attach uploaded photos to a gas test, a measure, or the completion check."""
    rows, created = await photos.attach(session, actor=actor, permit_id=permit_id, data=body)
    _status(response, created)
    return rows


@router.get("/photos", response_model=Page[PermitPhotoRead], responses=READ)
async def list_permit_photos(
    permit_id: uuid.UUID, actor: CurrentActor, session: SessionDep, page: PageDep
) -> Page[PermitPhotoRead]:
    """The permit's photos (fetch each from /api/v1/uploads/{id})."""
    rows, nxt = await photos.list_photos(
        session, actor=actor, permit_id=permit_id, limit=page.limit, cursor=page.cursor
    )
    return Page[PermitPhotoRead](
        items=[PermitPhotoRead.model_validate(r) for r in rows], next_cursor=nxt
    )
