"""Drills, trainings and special-operations certificates of an enterprise (brief §7)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from app.core.errors import problem_responses
from app.dependencies import CurrentActor, PageDep, SessionDep, SettingsDep
from app.models.records import Drill, DrillKind, PersonRole, Training, TrainingTopic
from app.routers._base import api_router, created_or_stored, page_of
from app.rules.certificates import CertificateCategory, CertificateStatus
from app.schemas.common import Page
from app.schemas.compliance import ComplianceRead
from app.schemas.records import (
    CertificateCreate,
    CertificateRead,
    DrillCreate,
    DrillRead,
    TrainingCreate,
    TrainingRead,
)
from app.services import compliance, records

router = api_router(prefix="/api/v1/enterprises/{enterprise_id}", tags=["records"])

READ_ERRORS = problem_responses(401, 403, 404, 422)
WRITE_ERRORS = problem_responses(401, 403, 404, 409, 422)
Year = Annotated[int | None, Query(ge=2000, le=2100)]


@router.get("/drills", response_model=Page[DrillRead], responses=READ_ERRORS)
async def list_drills(
    enterprise_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    kind: DrillKind | None = None,
    year: Year = None,
) -> Page[DrillRead]:
    """The enterprise's drills, newest first."""
    return page_of(
        DrillRead,
        await records.list_drills(
            session,
            actor=actor,
            enterprise_id=enterprise_id,
            kind=kind,
            year=year,
            limit=page.limit,
            cursor=page.cursor,
        ),
    )


@router.post("/drills", status_code=201, response_model=DrillRead, responses=WRITE_ERRORS)
async def create_drill(
    enterprise_id: uuid.UUID,
    body: DrillCreate,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> Drill:
    """Record a drill (enterprise head of this enterprise, or the street office)."""
    return created_or_stored(
        response,
        await records.create_drill(session, actor=actor, enterprise_id=enterprise_id, data=body),
    )


@router.get("/drills/{drill_id}", response_model=DrillRead, responses=READ_ERRORS)
async def get_drill(
    enterprise_id: uuid.UUID, drill_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> Drill:
    """One drill."""
    return await records.get_drill(
        session, actor=actor, enterprise_id=enterprise_id, drill_id=drill_id
    )


@router.get("/trainings", response_model=Page[TrainingRead], responses=READ_ERRORS)
async def list_trainings(
    enterprise_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    page: PageDep,
    topic: TrainingTopic | None = None,
    person_role: PersonRole | None = None,
) -> Page[TrainingRead]:
    """The enterprise's training records, newest first."""
    return page_of(
        TrainingRead,
        await records.list_trainings(
            session,
            actor=actor,
            enterprise_id=enterprise_id,
            topic=topic,
            person_role=person_role,
            limit=page.limit,
            cursor=page.cursor,
        ),
    )


@router.post("/trainings", status_code=201, response_model=TrainingRead, responses=WRITE_ERRORS)
async def create_training(
    enterprise_id: uuid.UUID,
    body: TrainingCreate,
    actor: CurrentActor,
    session: SessionDep,
    response: Response,
) -> Training:
    """Record a training (enterprise head of this enterprise, or the street office)."""
    return created_or_stored(
        response,
        await records.create_training(session, actor=actor, enterprise_id=enterprise_id, data=body),
    )


@router.get("/trainings/{training_id}", response_model=TrainingRead, responses=READ_ERRORS)
async def get_training(
    enterprise_id: uuid.UUID, training_id: uuid.UUID, actor: CurrentActor, session: SessionDep
) -> Training:
    """One training record."""
    return await records.get_training(
        session, actor=actor, enterprise_id=enterprise_id, training_id=training_id
    )


@router.get("/certificates", response_model=Page[CertificateRead], responses=READ_ERRORS)
async def list_certificates(
    enterprise_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    page: PageDep,
    category: CertificateCategory | None = None,
    status: CertificateStatus | None = None,
) -> Page[CertificateRead]:
    """Special-operations certificates, soonest expiry first; ID numbers masked unless office."""
    items, nxt = await records.list_certificates(
        session,
        actor=actor,
        enterprise_id=enterprise_id,
        category=category,
        status=status,
        warning_days=settings.certificate_warning_days,
        limit=page.limit,
        cursor=page.cursor,
    )
    return Page[CertificateRead](items=items, next_cursor=nxt)


@router.post(
    "/certificates", status_code=201, response_model=CertificateRead, responses=WRITE_ERRORS
)
async def create_certificate(
    enterprise_id: uuid.UUID,
    body: CertificateCreate,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
) -> CertificateRead:
    """Register a certificate; the ID number is checked (GB 11643)."""
    return created_or_stored(
        response,
        await records.create_certificate(
            session,
            actor=actor,
            enterprise_id=enterprise_id,
            data=body,
            warning_days=settings.certificate_warning_days,
        ),
    )


@router.get("/certificates/{certificate_id}", response_model=CertificateRead, responses=READ_ERRORS)
async def get_certificate(
    enterprise_id: uuid.UUID,
    certificate_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
) -> CertificateRead:
    """One certificate with its status today (Asia/Shanghai)."""
    return await records.get_certificate(
        session,
        actor=actor,
        enterprise_id=enterprise_id,
        certificate_id=certificate_id,
        warning_days=settings.certificate_warning_days,
    )


@router.get("/compliance", response_model=ComplianceRead, responses=READ_ERRORS)
async def get_compliance(
    enterprise_id: uuid.UUID,
    actor: CurrentActor,
    session: SessionDep,
    settings: SettingsDep,
    year: Year = None,
) -> ComplianceRead:
    """Each rule of the plan for the year (default this year): met or not, why, and its basis."""
    result = await compliance.get_compliance(
        session, actor=actor, enterprise_id=enterprise_id, year=year, settings=settings
    )
    return ComplianceRead.model_validate(result, from_attributes=True)
