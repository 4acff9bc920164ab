"""Accidents (事故) and warning interviews (警示约谈) — plan §三(三)6, 493号令 第三条.

The street office records both. An enterprise head reads its own enterprise's. Grid staff do
not read them: accident investigation and 约谈 are the street office's enforcement work (brief
§1), and interviews name the people interviewed. The dashboard sees them only as counts.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, Unprocessable
from app.models.accident import Accident, Interview
from app.models.hazard import Hazard
from app.rules.accidents import GRADE_LABELS, accident_grade
from app.rules.calendar import utc_bounds
from app.schemas.accident import AccidentCreate, AccidentUpdate, InterviewCreate
from app.services import audit, meta
from app.services.enterprises import visible_enterprise
from app.services.insert_once import id_conflict, insert_once, replay_existing
from app.services.listing import scoped_list
from app.services.policy import Actor, Permission, require_permission, scope_by_enterprise

meta.register("accident_grade", GRADE_LABELS)

_CENT = Decimal("0.01")


async def _check_enterprise(session: AsyncSession, actor: Actor, enterprise_id: uuid.UUID) -> None:
    try:
        await visible_enterprise(session, actor=actor, enterprise_id=enterprise_id)
    except NotFound as exc:
        raise Unprocessable(
            "企业不存在",
            "Unknown enterprise",
            code="unknown_enterprise",
            field=["body", "enterprise_id"],
        ) from exc


def _replayer(fields: dict[str, Any]) -> Callable[[Any], Awaitable[Any]]:
    async def replay(existing: Any) -> Any:
        if any(getattr(existing, k) != v for k, v in fields.items()):
            raise id_conflict("该 id 已用于另一条记录", "Id already used by another record")
        return existing

    return replay


def _grade(deaths: int, serious: int, loss: Decimal) -> str:
    # 493号令 第三条: the highest grade reached on any of the three axes.
    return accident_grade(deaths=deaths, serious_injuries=serious, direct_loss_yuan=loss).value


async def _add(
    session: AsyncSession,
    actor: Actor,
    obj: Accident | Interview,
    kind: str,
    changes: dict[str, Any],
) -> None:
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type=kind,
        object_id=obj.id,
        changes=audit.diff({}, changes),
    )
    payload: dict[str, Any] = {"enterprise_id": obj.enterprise_id}
    if isinstance(obj, Accident):
        payload["grade"] = obj.grade
    audit.emit(
        session, topic=f"{kind}.created", object_type=kind, object_id=obj.id, payload=payload
    )


async def create_accident(
    session: AsyncSession, *, actor: Actor, data: AccidentCreate
) -> tuple[Accident, bool]:
    require_permission(actor, Permission.ACCIDENT_WRITE)
    fields = data.model_dump(exclude={"id"})
    fields["direct_loss_yuan"] = data.direct_loss_yuan.quantize(_CENT)
    # Stored in UTC; normalised now so the first answer equals every later read of it.
    fields["occurred_at"] = data.occurred_at.astimezone(UTC)
    # Scope first: a foreign enterprise's accident id is a 409 like any other used id.
    await _check_enterprise(session, actor, data.enterprise_id)
    replay = _replayer(fields)
    if (stored := await replay_existing(session, Accident, data.id, replay)) is not None:
        return stored, False
    grade = _grade(data.deaths, data.serious_injuries, fields["direct_loss_yuan"])
    acc = Accident(id=data.id or uuid.uuid4(), grade=grade, created_by=actor.user_id, **fields)
    if (stored := await insert_once(session, acc, replay)) is not None:
        return stored, False
    await _add(session, actor, acc, "accident", {**fields, "grade": grade})
    return acc, True


_NOT_NULL_ON_UPDATE = (
    "deaths",
    "serious_injuries",
    "direct_loss_yuan",
    "description",
    "major_risk_event",
)


async def update_accident(
    session: AsyncSession, *, actor: Actor, accident_id: uuid.UUID, data: AccidentUpdate
) -> Accident:
    """Late figures (补报, e.g. deaths within 30 days) re-grade the accident (493号令 第三条)."""
    require_permission(actor, Permission.ACCIDENT_WRITE)
    acc = await get_accident(session, actor=actor, accident_id=accident_id)
    fields = data.model_dump(exclude_unset=True)
    for key in _NOT_NULL_ON_UPDATE:
        if key in fields and fields[key] is None:
            raise Unprocessable(f"{key} 不能为空", f"{key} may not be null", field=["body", key])
    if "direct_loss_yuan" in fields:
        fields["direct_loss_yuan"] = fields["direct_loss_yuan"].quantize(_CENT)
    before = {k: getattr(acc, k) for k in (*fields, "grade")}
    for key, value in fields.items():
        setattr(acc, key, value)
    acc.grade = _grade(acc.deaths, acc.serious_injuries, acc.direct_loss_yuan)
    await session.flush()
    audit.record_update(
        session,
        actor=actor,
        object_type="accident",
        object_id=acc.id,
        changes=audit.diff(before, {**fields, "grade": acc.grade}),
        payload={"grade": acc.grade},
    )
    return acc


async def list_accidents(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID | None,
    grade: str | None,
    year: int | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Accident], str | None]:
    where = []
    if year:
        # The year on the Asia/Shanghai calendar (brief §4), as a half-open UTC range.
        lo, hi = utc_bounds(date(year, 1, 1), date(year, 12, 31))
        where = [Accident.occurred_at >= lo, Accident.occurred_at < hi]
    return await scoped_list(
        session,
        Accident,
        actor=actor,
        permission=Permission.ACCIDENT_READ,
        scope=scope_by_enterprise(actor, Accident.enterprise_id),
        equal=[(Accident.enterprise_id, enterprise_id), (Accident.grade, grade)],
        where=where,
        order=[Accident.occurred_at, Accident.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


async def get_accident(session: AsyncSession, *, actor: Actor, accident_id: uuid.UUID) -> Accident:
    require_permission(actor, Permission.ACCIDENT_READ)
    acc = await session.scalar(
        select(Accident).where(
            Accident.id == accident_id, scope_by_enterprise(actor, Accident.enterprise_id)
        )
    )
    if acc is None:
        raise NotFound("事故记录不存在", "Accident not found")
    return acc


async def create_interview(
    session: AsyncSession, *, actor: Actor, data: InterviewCreate
) -> tuple[Interview, bool]:
    require_permission(actor, Permission.ACCIDENT_WRITE)
    fields = data.model_dump(exclude={"id"})
    await _check_enterprise(session, actor, data.enterprise_id)
    replay = _replayer(fields)
    if (stored := await replay_existing(session, Interview, data.id, replay)) is not None:
        return stored, False
    await _check_links(session, data)
    obj = Interview(id=data.id or uuid.uuid4(), created_by=actor.user_id, **fields)
    if (stored := await insert_once(session, obj, replay)) is not None:
        return stored, False
    public = {k: v for k, v in fields.items() if k != "person_name"}
    await _add(session, actor, obj, "interview", public)
    return obj, True


async def _check_links(session: AsyncSession, data: InterviewCreate) -> None:
    if data.accident_id is not None:
        acc = await session.get(Accident, data.accident_id)
        if acc is None or acc.enterprise_id != data.enterprise_id:
            raise Unprocessable(
                "关联事故不存在或不属于该企业",
                "Linked accident not found for this enterprise",
                code="unknown_accident",
                field=["body", "accident_id"],
            )
    if data.hazard_id is not None:
        hazard = await session.get(Hazard, data.hazard_id)
        if hazard is None or hazard.enterprise_id != data.enterprise_id:
            raise Unprocessable(
                "关联隐患不存在或不属于该企业",
                "Linked hazard not found for this enterprise",
                code="unknown_hazard",
                field=["body", "hazard_id"],
            )


async def list_interviews(
    session: AsyncSession,
    *,
    actor: Actor,
    enterprise_id: uuid.UUID | None,
    year: int | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[Interview], str | None]:
    return await scoped_list(
        session,
        Interview,
        actor=actor,
        permission=Permission.ACCIDENT_READ,
        scope=scope_by_enterprise(actor, Interview.enterprise_id),
        equal=[(Interview.enterprise_id, enterprise_id)],
        where=[Interview.held_on.between(date(year, 1, 1), date(year, 12, 31))] if year else [],
        order=[Interview.held_on, Interview.id],
        limit=limit,
        cursor=cursor,
        descending=True,
    )


async def get_interview(
    session: AsyncSession, *, actor: Actor, interview_id: uuid.UUID
) -> Interview:
    require_permission(actor, Permission.ACCIDENT_READ)
    obj = await session.scalar(
        select(Interview).where(
            Interview.id == interview_id, scope_by_enterprise(actor, Interview.enterprise_id)
        )
    )
    if obj is None:
        raise NotFound("约谈记录不存在", "Interview not found")
    return obj
