"""The staff side of public reports: scoped reads, the report as staff see it, photos.

Scope (brief §1): the street office sees every report; grid staff see reports matched to
enterprises of their grids — an unmatched report goes to the street office only; enterprise
heads and the dashboard may not use the resource at all (403), so the enterprise named in a
report never learns who reported.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import NotFound
from app.models.public_report import (
    PublicReport,
    PublicReportPhoto,
    PublicUpload,
    ReportOutcome,
    ReportStatus,
)
from app.schemas.public_report import PossibleDuplicate, ReportRead, Reward, Triage
from app.services.listing import scoped_list
from app.services.policy import Actor, Permission, require_permission
from app.services.public_reports.contact import phone_for
from app.services.public_reports.duplicates import possible_duplicates
from app.services.public_reports.scope import report_scope


async def load_report(
    session: AsyncSession, *, actor: Actor, report_id: uuid.UUID, for_update: bool = False
) -> PublicReport:
    stmt = select(PublicReport).where(PublicReport.id == report_id, report_scope(actor))
    if for_update:
        stmt = stmt.with_for_update()
    report = await session.scalar(stmt)
    if report is None:
        raise NotFound("举报不存在", "Report not found", code="report_not_found")
    return report


async def photo_ids_of(
    session: AsyncSession, report_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[uuid.UUID]]:
    out: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    if not report_ids:
        return out
    rows = await session.execute(
        select(PublicReportPhoto.report_id, PublicReportPhoto.upload_id)
        .where(PublicReportPhoto.report_id.in_(report_ids))
        .order_by(PublicReportPhoto.report_id, PublicReportPhoto.position)
    )
    for report_id, upload_id in rows:
        out[report_id].append(upload_id)
    return out


def _triage_of(report: PublicReport) -> Triage | None:
    if report.decided_at is None:
        return None
    return Triage(
        decided_by=report.decided_by,
        decided_at=report.decided_at,
        note=report.note,
        duplicate_of_report_id=report.duplicate_of_report_id,
        duplicate_of_hazard_id=report.duplicate_of_hazard_id,
    )


_FEN = Decimal("0.01")


def _reward_of(report: PublicReport) -> Reward | None:
    if report.reward_decided_at is None:
        return None
    amount = report.reward_amount
    return Reward(
        eligible=report.reward_eligible,
        # Yuan and fen, as the column stores it: the answer to the write (still the client's
        # Decimal("300")) and a later read ("300.00") show the same string.
        amount=amount.quantize(_FEN) if amount is not None else None,
        paid_on=report.reward_paid_on,
        decided_at=report.reward_decided_at,
    )


def report_view(
    settings: Settings,
    actor: Actor,
    report: PublicReport,
    photo_ids: list[uuid.UUID],
    *,
    with_phone: bool = True,
    duplicates: list[PossibleDuplicate] | None = None,
) -> ReportRead:
    """`with_phone=False` for POST answers: those are kept by the idempotency store, and the
    number must not be stored anywhere in clear."""
    return ReportRead(
        id=report.id,
        receipt_code=report.receipt_code,
        description=report.description,
        location_text=report.location_text,
        latitude=report.latitude,
        longitude=report.longitude,
        enterprise_name=report.enterprise_name,
        enterprise_id=report.enterprise_id,
        has_contact=report.contact_phone_encrypted is not None,
        contact_phone=phone_for(settings, actor, report.contact_phone_encrypted)
        if with_phone
        else None,
        wants_reward=report.wants_reward,
        status=ReportStatus(report.status),
        outcome=ReportOutcome(report.outcome),
        received_at=report.received_at,
        photo_ids=photo_ids,
        hazard_id=report.hazard_id,
        triage=_triage_of(report),
        reward=_reward_of(report),
        possible_duplicates=duplicates,
    )


async def list_reports(
    session: AsyncSession,
    *,
    settings: Settings,
    actor: Actor,
    outcome: str | None,
    enterprise_id: uuid.UUID | None,
    unmatched: bool | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ReportRead], str | None]:
    col = PublicReport.enterprise_id
    rows, nxt = await scoped_list(
        session,
        PublicReport,
        actor=actor,
        permission=Permission.REPORT_READ,
        scope=report_scope(actor),
        equal=[(PublicReport.outcome, outcome), (col, enterprise_id)],
        where=[] if unmatched is None else [col.is_(None) if unmatched else col.is_not(None)],
        order=[PublicReport.received_at, PublicReport.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )
    photos = await photo_ids_of(session, [r.id for r in rows])
    return [report_view(settings, actor, r, photos.get(r.id, [])) for r in rows], nxt


async def get_report(
    session: AsyncSession, *, settings: Settings, actor: Actor, report_id: uuid.UUID
) -> ReportRead:
    require_permission(actor, Permission.REPORT_READ)
    report = await load_report(session, actor=actor, report_id=report_id)
    photos = await photo_ids_of(session, [report.id])
    dups = await possible_duplicates(session, actor=actor, report=report)
    return report_view(settings, actor, report, photos.get(report.id, []), duplicates=dups)


async def report_photo(
    session: AsyncSession, *, actor: Actor, report_id: uuid.UUID, upload_id: uuid.UUID
) -> PublicUpload:
    """A photo of a report the actor may see (the bytes are served by the router)."""
    require_permission(actor, Permission.REPORT_READ)
    upload = await session.scalar(
        select(PublicUpload)
        .join(PublicReportPhoto, PublicReportPhoto.upload_id == PublicUpload.id)
        .join(PublicReport, PublicReport.id == PublicReportPhoto.report_id)
        .where(
            PublicReport.id == report_id,
            PublicUpload.id == upload_id,
            report_scope(actor),
        )
    )
    if upload is None:
        raise NotFound("照片不存在", "Photo not found", code="photo_not_found")
    return upload
