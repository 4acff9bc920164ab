"""Drills, trainings and special-operations certificates of one enterprise (brief §7).

Who: enterprise heads write their own enterprise's records, the street office any; grid staff
read those of their grids; the dashboard reads none (policy: RECORD_READ / RECORD_WRITE).
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, and_, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Forbidden, NotFound, Unprocessable
from app.models.base import Base
from app.models.records import (
    DRILL_KIND_LABELS,
    PERSON_ROLE_LABELS,
    TRAINING_TOPIC_LABELS,
    Certificate,
    Drill,
    Training,
)
from app.rules.calendar import today_in_shanghai
from app.rules.certificates import (
    CATEGORY_LABELS,
    STATUS_LABELS,
    CertificateStatus,
    certificate_status,
    default_next_review,
)
from app.rules.idcard import is_valid_id_number, mask_id_number
from app.schemas.records import CertificateCreate, CertificateRead, DrillCreate, TrainingCreate
from app.services import audit, meta, uploads
from app.services.enterprises import visible_enterprise
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.listing import scoped_list
from app.services.policy import Actor, Permission, require_permission

meta.register("drill_kind", DRILL_KIND_LABELS)
meta.register("person_role", PERSON_ROLE_LABELS)
meta.register("training_topic", TRAINING_TOPIC_LABELS)
meta.register("certificate_category", CATEGORY_LABELS)
meta.register("certificate_status", STATUS_LABELS)

R = TypeVar("R", Drill, Training, Certificate)

_NAMES: dict[type[Base], tuple[str, str, str]] = {
    Drill: ("drill", "演练记录", "Drill"),
    Training: ("training", "培训记录", "Training record"),
    Certificate: ("certificate", "特种作业操作证", "Certificate"),
}
# Personal fields are left out of audit rows and events (the audit trail is not a register).
_PERSONAL = {"person_name", "holder_name", "id_number"}


async def _enterprise_for(
    session: AsyncSession, actor: Actor, enterprise_id: uuid.UUID, *, write: bool
) -> uuid.UUID:
    require_permission(actor, Permission.RECORD_WRITE if write else Permission.RECORD_READ)
    ent = await visible_enterprise(session, actor=actor, enterprise_id=enterprise_id)
    return ent.id


def _replayer(ent_id: uuid.UUID, fields: dict[str, Any]) -> Callable[[Any], Awaitable[Any]]:
    """A re-sent create (same client id): the stored row if the body matches, else 409."""

    async def replay(existing: Any) -> Any:
        same = existing.enterprise_id == ent_id and all(
            getattr(existing, k) == v for k, v in fields.items()
        )
        if not same:
            raise id_conflict("该 id 已用于另一条记录", "Id already used by another record")
        return existing

    return replay


async def _create(
    session: AsyncSession,
    *,
    actor: Actor,
    model: type[R],
    enterprise_id: uuid.UUID,
    record_id: uuid.UUID | None,
    fields: dict[str, Any],
) -> tuple[R, bool]:
    ent_id = await _enterprise_for(session, actor, enterprise_id, write=True)
    replay = _replayer(ent_id, fields)
    if (stored := await replay_existing(session, model, record_id, replay)) is not None:
        return stored, False
    obj = model(
        id=record_id or uuid.uuid4(), enterprise_id=ent_id, created_by=actor.user_id, **fields
    )
    if (stored := await insert_once(session, obj, replay)) is not None:
        return stored, False
    kind = _NAMES[model][0]
    public = {k: v for k, v in fields.items() if k not in _PERSONAL}
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type=kind,
        object_id=obj.id,
        changes=audit.diff({}, public),
    )
    audit.emit(
        session,
        topic=f"{kind}.created",
        object_type=kind,
        object_id=obj.id,
        payload={"enterprise_id": ent_id},
    )
    return obj, True


async def _get(
    session: AsyncSession,
    *,
    actor: Actor,
    model: type[R],
    enterprise_id: uuid.UUID,
    record_id: uuid.UUID,
) -> R:
    ent_id = await _enterprise_for(session, actor, enterprise_id, write=False)
    obj = await session.scalar(
        select(model).where(model.id == record_id, model.enterprise_id == ent_id)
    )
    if obj is None:
        _, zh, en = _NAMES[model]
        raise NotFound(f"{zh}不存在", f"{en} not found")
    return obj


# --- drills -----------------------------------------------------------------------------


async def create_drill(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID, data: DrillCreate
) -> tuple[Drill, bool]:
    if data.observed_by_street_office and not actor.is_street_office:
        # The observation count is a plan target (§三(六)12: 现场观摩); only the office attests it.
        raise Forbidden(
            "只有街道安委办可以登记现场观摩",
            "Only the street office may record its own observation",
            code="observation_office_only",
        )
    ent_id = await _enterprise_for(session, actor, enterprise_id, write=True)
    await uploads.claim_photos(
        session,
        actor=actor,
        enterprise_id=ent_id,
        photo_ids=list(data.photo_ids),
        field=["body", "photo_ids"],
    )
    fields = data.model_dump(exclude={"id"})
    fields["photo_ids"] = [str(p) for p in data.photo_ids]
    return await _create(
        session,
        actor=actor,
        model=Drill,
        enterprise_id=enterprise_id,
        record_id=data.id,
        fields=fields,
    )


async def list_drills(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    kind: str | None,
    year: int | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Drill], str | None]:
    ent_id = await _enterprise_for(session, actor, enterprise_id, write=False)
    return await scoped_list(
        session,
        Drill,
        scope=Drill.enterprise_id == ent_id,
        equal=[(Drill.kind, kind)],
        where=[Drill.held_on.between(date(year, 1, 1), date(year, 12, 31))] if year else [],
        order=[Drill.held_on, Drill.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


async def get_drill(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID, drill_id: uuid.UUID
) -> Drill:
    return await _get(
        session, actor=actor, model=Drill, enterprise_id=enterprise_id, record_id=drill_id
    )


# --- trainings --------------------------------------------------------------------------


async def create_training(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID, data: TrainingCreate
) -> tuple[Training, bool]:
    return await _create(
        session,
        actor=actor,
        model=Training,
        enterprise_id=enterprise_id,
        record_id=data.id,
        fields=data.model_dump(exclude={"id"}),
    )


async def list_trainings(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    topic: str | None,
    person_role: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Training], str | None]:
    ent_id = await _enterprise_for(session, actor, enterprise_id, write=False)
    return await scoped_list(
        session,
        Training,
        scope=Training.enterprise_id == ent_id,
        equal=[(Training.topic, topic), (Training.person_role, person_role)],
        order=[Training.completed_on, Training.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


async def get_training(
    session: AsyncSession, *, actor: Actor, enterprise_id: uuid.UUID, training_id: uuid.UUID
) -> Training:
    return await _get(
        session, actor=actor, model=Training, enterprise_id=enterprise_id, record_id=training_id
    )


# --- certificates -----------------------------------------------------------------------


def _certificate_fields(data: CertificateCreate) -> dict[str, Any]:
    fields = data.model_dump(exclude={"id"})
    if data.id_number is not None:
        fields["id_number"] = data.id_number.upper()
        if not is_valid_id_number(fields["id_number"]):
            raise Unprocessable(
                "身份证号码校验失败（GB 11643-1999 校验码或出生日期不符）",
                "Invalid ID number (GB 11643-1999 check character or birth date)",
                code="invalid_id_number",
                field=["body", "id_number"],
            )
    if data.expires_on <= data.issued_on:
        raise Unprocessable(
            "有效期截止日期必须晚于发证日期",
            "expires_on must be after issued_on",
            code="invalid_dates",
            field=["body", "expires_on"],
        )
    # 30号令 第二十一条: 复审 every 3 years from issue unless the client gives the date.
    review = data.next_review_on or default_next_review(data.issued_on)
    if review < data.issued_on:
        raise Unprocessable(
            "复审日期不能早于发证日期",
            "next_review_on must not be before issued_on",
            code="invalid_dates",
            field=["body", "next_review_on"],
        )
    fields["next_review_on"] = review
    return fields


def certificate_view(
    cert: Certificate, *, actor: Actor, warning_days: int, today: date | None = None
) -> CertificateRead:
    """The certificate as the caller may see it: status on `today`, ID masked unless office."""
    id_number = cert.id_number
    if id_number is not None and not actor.is_street_office:
        id_number = mask_id_number(id_number)
    status = certificate_status(
        expires_on=cert.expires_on,
        next_review_on=cert.next_review_on,
        today=today or today_in_shanghai(),
        warning_days=warning_days,
    )
    return CertificateRead(
        id=cert.id,
        enterprise_id=cert.enterprise_id,
        holder_name=cert.holder_name,
        id_number=id_number,
        category=cert.category,
        operation=cert.operation,
        certificate_no=cert.certificate_no,
        issued_on=cert.issued_on,
        expires_on=cert.expires_on,
        next_review_on=cert.next_review_on,
        status=status,
        created_at=cert.created_at,
    )


def status_filter(status: CertificateStatus, today: date, warning_days: int) -> ColumnElement[bool]:
    """SQL form of `certificate_status` (the same first-match order)."""
    expired = Certificate.expires_on < today
    review_due = Certificate.next_review_on < today
    horizon = today + timedelta(days=warning_days)
    near = or_(Certificate.expires_on <= horizon, Certificate.next_review_on <= horizon)
    if status == CertificateStatus.EXPIRED:
        return expired
    if status == CertificateStatus.REVIEW_DUE:
        return and_(not_(expired), review_due)
    if status == CertificateStatus.EXPIRING:
        return and_(not_(expired), not_(review_due), near)
    return and_(not_(expired), not_(review_due), not_(near))


async def create_certificate(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    data: CertificateCreate,
    warning_days: int,
) -> tuple[CertificateRead, bool]:
    cert, created = await _create(
        session,
        actor=actor,
        model=Certificate,
        enterprise_id=enterprise_id,
        record_id=data.id,
        fields=_certificate_fields(data),
    )
    return certificate_view(cert, actor=actor, warning_days=warning_days), created


async def list_certificates(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    category: str | None,
    status: CertificateStatus | None,
    warning_days: int,
    limit: int,
    cursor: str | None,
) -> tuple[list[CertificateRead], str | None]:
    today = today_in_shanghai()
    ent_id = await _enterprise_for(session, actor, enterprise_id, write=False)
    rows, nxt = await scoped_list(
        session,
        Certificate,
        scope=Certificate.enterprise_id == ent_id,
        equal=[(Certificate.category, category)],
        where=[status_filter(status, today, warning_days)] if status else [],
        order=[Certificate.expires_on, Certificate.id],
        limit=limit,
        cursor=cursor,
    )
    views = [certificate_view(c, actor=actor, warning_days=warning_days, today=today) for c in rows]
    return views, nxt


async def get_certificate(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID,
    certificate_id: uuid.UUID,
    warning_days: int,
) -> CertificateRead:
    cert = await _get(
        session,
        actor=actor,
        model=Certificate,
        enterprise_id=enterprise_id,
        record_id=certificate_id,
    )
    return certificate_view(cert, actor=actor, warning_days=warning_days)
