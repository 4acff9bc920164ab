"""The anonymous side: photo uploads, report intake, status by receipt code (brief §7).

Everything here faces the open internet; the routers have already capped the body and
counted the request against the abuse limits.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.errors import NotFound, Unprocessable
from app.core.storage import BlobStorage
from app.models.enterprise import Enterprise
from app.models.hazard import Hazard
from app.models.public_report import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    PublicReport,
    PublicReportPhoto,
    PublicUpload,
)
from app.rules.phone import normalize_mobile
from app.rules.receipts import new_receipt_code, normalize_receipt_code
from app.schemas.public_report import PublicReportCreate, PublicReportStatus
from app.services import audit, meta
from app.services.public_reports.contact import encrypt_phone
from app.services.uploads import put_photo

OBJECT_TYPE = "public_report"
meta.register("report_status", STATUS_LABELS)
meta.register("report_outcome", OUTCOME_LABELS)
UPLOAD_TTL = timedelta(hours=24)
# Looked up when the typed code cannot be a receipt code, so a malformed code costs the same
# query as a well-formed one (brief §7). It can never match: '!' is outside the alphabet.
_NO_SUCH_CODE = "!!!!-!!!!-!!!!-!!!!"


async def store_upload(
    session: AsyncSession, *, settings: Settings, storage: BlobStorage, data: bytes
) -> PublicUpload:
    """Sniff, cap and re-encode a photo (EXIF/GPS gone, PIPL Art. 28), then keep it."""
    blob = await put_photo(
        storage,
        data,
        max_bytes=settings.public_upload_max_bytes,
        max_pixels=settings.public_upload_max_pixels,
        anonymous=True,
    )
    upload = PublicUpload(id=uuid.uuid4(), **blob, created_at=datetime.now(UTC))
    session.add(upload)
    await session.flush()
    audit.record(
        session, actor=None, action="create", object_type="public_upload", object_id=upload.id
    )
    return upload


def _check_location(settings: Settings, data: PublicReportCreate) -> None:
    if data.latitude is None or data.longitude is None:
        return
    south, west, north, east = settings.jurisdiction_bbox
    if not (south <= data.latitude <= north and west <= data.longitude <= east):
        raise Unprocessable(
            "位置不在本街道辖区范围内",
            "The location lies outside the jurisdiction",
            code="outside_jurisdiction",
            field=["body", "latitude"],
        )


def _phone(data: PublicReportCreate) -> str | None:
    if data.contact_phone is None or not data.contact_phone:
        return None
    number = normalize_mobile(data.contact_phone)
    if number is None:
        raise Unprocessable(
            "手机号码格式不正确（须为中国大陆手机号）",
            "Not a mainland China mobile number",
            code="invalid_phone",
            field=["body", "contact_phone"],
        )
    return number


async def _match_enterprise(session: AsyncSession, name: str | None) -> uuid.UUID | None:
    """The enterprise whose registered name is exactly the one given; none if ambiguous."""
    if not name:
        return None
    ids = list(await session.scalars(select(Enterprise.id).where(Enterprise.name == name).limit(2)))
    return ids[0] if len(ids) == 1 else None


async def _claim_uploads(session: AsyncSession, report: PublicReport, ids: list[uuid.UUID]) -> None:
    """Mark each upload used by this report — atomically, so two reports racing for the same
    upload cannot both get it. Unknown, expired and already used ids are refused alike."""
    if not ids:
        return
    cutoff = datetime.now(UTC) - UPLOAD_TTL
    result = cast(
        CursorResult[Any],
        await session.execute(
            update(PublicUpload)
            .where(
                PublicUpload.id.in_(ids),
                PublicUpload.used_by_report_id.is_(None),
                PublicUpload.created_at > cutoff,
            )
            .values(used_by_report_id=report.id)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != len(ids):
        raise Unprocessable(
            "照片不存在、已过期（24 小时）或已被使用",
            "A photo id is unknown, expired (24 h) or already used",
            code="invalid_upload",
            field=["body", "photo_ids"],
        )
    for position, upload_id in enumerate(ids):
        session.add(PublicReportPhoto(report_id=report.id, upload_id=upload_id, position=position))


async def create_report(
    session: AsyncSession, *, settings: Settings, data: PublicReportCreate
) -> PublicReport:
    _check_location(settings, data)
    phone = _phone(data)
    report = PublicReport(
        id=uuid.uuid4(),
        receipt_code=new_receipt_code(),
        description=data.description,
        location_text=data.location_text or None,
        latitude=data.latitude,
        longitude=data.longitude,
        enterprise_name=data.enterprise_name or None,
        enterprise_id=await _match_enterprise(session, data.enterprise_name),
        contact_phone_encrypted=encrypt_phone(settings, phone) if phone else None,
        wants_reward=data.wants_reward,
        received_at=datetime.now(UTC),
    )
    session.add(report)
    await session.flush()
    await _claim_uploads(session, report, data.photo_ids)
    # The audit row and event carry ids and counts only — never the phone or the text.
    audit.record(
        session,
        actor=None,
        action="create",
        object_type=OBJECT_TYPE,
        object_id=report.id,
        changes={"photos": len(data.photo_ids), "enterprise_id": report.enterprise_id},
    )
    audit.emit(
        session,
        topic="public_report.received",
        object_type=OBJECT_TYPE,
        object_id=report.id,
        payload={"enterprise_id": report.enterprise_id},
    )
    await session.flush()
    return report


async def report_status(session: AsyncSession, *, receipt_code: str) -> PublicReportStatus:
    """What the reporter may know. Any unknown code — malformed or not — is 404 after the
    same single query, so neither the answer nor its timing tells codes apart."""
    code = normalize_receipt_code(receipt_code) or _NO_SUCH_CODE
    row = (
        await session.execute(
            select(
                PublicReport.receipt_code,
                PublicReport.status,
                PublicReport.received_at,
                PublicReport.outcome,
                PublicReport.reward_decided_at,
                Hazard.status,
            )
            .outerjoin(Hazard, Hazard.id == PublicReport.hazard_id)
            .where(PublicReport.receipt_code == code)
        )
    ).first()
    if row is None:
        raise NotFound("回执码不存在", "No report with this receipt code", code="report_not_found")
    return PublicReportStatus(
        receipt_code=row[0],
        status=row[1],
        received_at=row[2],
        outcome=row[3],
        hazard_status=row[5],
        reward_decided=row[4] is not None,
    )
