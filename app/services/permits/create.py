"""Creating a permit: its number, its grade computed from facts, its validity capped by the
settings, its confined space from the ledger; edits only before approval (GB 30871 4.16–4.18)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, Unprocessable
from app.models.permit import ConfinedSpace, Permit, PermitStatus
from app.rules.permits.grading import (
    Grade,
    apply_override,
    height_grade,
    hot_work_grade,
    validity_end,
)
from app.rules.permits.kinds import PermitType
from app.rules.permits.settings import PermitRules
from app.schemas.permit import HotWorkInputs, PermitCreate, PermitUpdate
from app.services import audit
from app.services.enterprises import visible_enterprise
from app.services.permits.errors import refuse, rules_as_problems
from app.services.permits.machine import OBJECT_TYPE, write_history
from app.services.permits.queries import get_permit, next_permit_no
from app.services.permits.rules_store import current, record
from app.services.policy import Actor, Permission, require_permission


def _grade(body: PermitCreate, rules: PermitRules) -> Grade:
    if body.type == PermitType.hot_work:
        facts = body.hot_work or HotWorkInputs()
        return hot_work_grade(**facts.model_dump(), rules=rules)
    if body.type == PermitType.work_at_height:
        if body.height is None:
            raise Unprocessable(
                "高处作业须填写作业高度 height.height_m",
                "height.height_m is required for work at height",
                code="height_required",
                field=["body", "height"],
            )
        return height_grade(
            height_m=body.height.height_m,
            factors=body.height.hazard_factors,
            situations=body.height.situations,
        )
    return Grade(None, ())


async def _space(
    session: AsyncSession, body: PermitCreate, enterprise_id: uuid.UUID
) -> ConfinedSpace | None:
    if body.type != PermitType.confined_space:
        if body.confined_space_id is not None:
            raise refuse(
                "space_not_for_type",
                "只有有限空间作业票关联有限空间台账",
                "Only a confined-space permit names a space",
                "GB 30871-2022 4.6",
                invalid=True,
            )
        return None
    space = (
        await session.get(ConfinedSpace, body.confined_space_id) if body.confined_space_id else None
    )
    if space is None or space.enterprise_id != enterprise_id or not space.is_active:
        raise refuse(
            "space_not_in_ledger",
            "有限空间作业票须关联本企业有限空间台账中的空间",
            "A confined-space permit names a space of the enterprise's ledger",
            "应急管理部令第13号 第六条",
            invalid=True,
        )
    return space


def _sane_start(start: datetime) -> None:
    """A permit is for work about to happen: 30 days back (late offline sync) to a year ahead."""
    now = datetime.now(UTC)
    if not now - timedelta(days=30) <= start <= now + timedelta(days=365):
        raise Unprocessable(
            "计划开始时间须在过去 30 天至未来一年之内",
            "planned_start must lie within 30 days back and a year ahead",
            code="planned_start_out_of_range",
            field=["body", "planned_start"],
        )


async def _predecessor(session: AsyncSession, body: PermitCreate, enterprise_id: uuid.UUID) -> None:
    """Re-issue (GB 30871-2022 4.16) names a permit of the same enterprise and type."""
    if body.predecessor_id is None:
        return
    old = await session.get(Permit, body.predecessor_id)
    if old is None or old.enterprise_id != enterprise_id or old.type != body.type:
        raise refuse(
            "predecessor_invalid",
            "重新办理须关联本企业同类型的原作业票",
            "A re-issue names a permit of the same enterprise and type",
            "GB 30871-2022 4.16",
            invalid=True,
        )


async def _related(session: AsyncSession, body: PermitCreate, enterprise_id: uuid.UUID) -> None:
    """关联作业票 (GB 30871-2022 4.6): another permit of the same enterprise; hot work inside
    a confined space names the confined-space permit."""
    if body.related_permit_id is None:
        return
    other = await session.get(Permit, body.related_permit_id)
    if other is None or other.enterprise_id != enterprise_id or other.id == body.id:
        raise refuse(
            "related_permit_invalid",
            "关联作业票须为本企业的另一张作业票",
            "The related permit must be another permit of the same enterprise",
            "GB 30871-2022 4.6",
            invalid=True,
        )


def _same(existing: Permit, body: PermitCreate) -> bool:
    return (
        existing.enterprise_id == body.enterprise_id
        and existing.type == body.type
        and existing.location == body.location
        and existing.work_content == body.work_content
    )


async def create_permit(
    session: AsyncSession, *, actor: Actor, body: PermitCreate
) -> tuple[Permit, bool]:
    require_permission(actor, Permission.PERMIT_WRITE)
    enterprise = await visible_enterprise(session, actor=actor, enterprise_id=body.enterprise_id)
    if body.id is not None and (existing := await session.get(Permit, body.id)) is not None:
        return await _replayed(session, actor, existing, body), False
    ruleset = current(session)
    rules = ruleset.rules
    await record(session, ruleset)
    space = await _space(session, body, enterprise.id)
    await _predecessor(session, body, enterprise.id)
    await _related(session, body, enterprise.id)
    grade, final, valid_to = _computed(body, rules)
    permit = Permit(
        id=body.id or uuid.uuid4(),
        enterprise_id=enterprise.id,
        permit_no=await next_permit_no(session, enterprise.id, body.type),
        type=body.type.value,
        grade=final,
        grade_computed=grade.value,
        grade_inputs=audit.jsonable(_inputs(body)),
        grade_reasons=list(grade.reasons),
        grade_override_reason=body.grade_override_reason if final != grade.value else None,
        location=body.location,
        work_content=body.work_content,
        method=body.method,
        work_unit=body.work_unit,
        risk_identification=body.risk_identification,
        confined_space_id=space.id if space else None,
        predecessor_id=body.predecessor_id,
        related_permit_id=body.related_permit_id,
        outdoor=body.outdoor,
        planned_start=body.planned_start,
        planned_end=valid_to,
        valid_from=body.planned_start,
        valid_to=valid_to,
        status=PermitStatus.draft.value,
        rules_version=rules.version,
        applicant_id=actor.user_id,
    )
    session.add(permit)
    await session.flush()
    await _created(session, actor, permit)
    return permit, True


def _computed(body: PermitCreate, rules: PermitRules) -> tuple[Grade, str | None, datetime]:
    """The computed grade, the final grade (override only raises), the end of validity."""
    _sane_start(body.planned_start)
    with rules_as_problems():
        grade = _grade(body, rules)
        final = apply_override(
            body.type, grade.value, body.grade_override, body.grade_override_reason
        )
        planned_end = body.planned_end or datetime.max.replace(tzinfo=UTC)
        valid_to = validity_end(
            permit_type=body.type,
            grade=final,
            valid_from=body.planned_start,
            planned_end=planned_end,
            rules=rules,
        )
    return grade, final, valid_to


async def _replayed(
    session: AsyncSession, actor: Actor, existing: Permit, body: PermitCreate
) -> Permit:
    """A re-sent create answers the stored permit; another permit's id is a conflict."""
    if not _same(existing, body):
        raise Conflict("该 id 已用于另一张作业票", "Id already used", code="id_conflict")
    return await get_permit(session, actor=actor, permit_id=existing.id)


def _inputs(body: PermitCreate) -> dict[str, Any]:
    if body.type == PermitType.hot_work:
        return (body.hot_work or HotWorkInputs()).model_dump()
    if body.height is not None:
        return body.height.model_dump()
    return {}


async def _created(session: AsyncSession, actor: Actor, permit: Permit) -> None:
    await write_history(session, permit, actor=actor, action="create", from_status=None)
    audit.record(
        session,
        actor=actor,
        action="create",
        object_type=OBJECT_TYPE,
        object_id=permit.id,
        changes={"permit_no": permit.permit_no, "type": permit.type, "grade": permit.grade},
    )
    audit.emit(
        session,
        topic="permit.created",
        object_type=OBJECT_TYPE,
        object_id=permit.id,
        payload={
            "enterprise_id": permit.enterprise_id,
            "type": permit.type,
            "grade": permit.grade,
            "status": permit.status,
        },
    )
    await session.flush()


def _no_nulls(changes: dict[str, Any]) -> None:
    for required in ("location", "work_content"):
        if required in changes and changes[required] is None:
            raise Unprocessable(
                f"{required} 不能为空", f"{required} may not be null", field=["body", required]
            )


EDITABLE = frozenset({PermitStatus.draft, PermitStatus.rejected})


async def update_permit(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    body: PermitUpdate,
    if_match: int | None,
) -> Permit:
    """GB 30871-2022 4.16–4.18: once submitted, a permit is not altered; change means re-issue."""
    require_permission(actor, Permission.PERMIT_WRITE)
    permit = await get_permit(
        session, actor=actor, permit_id=permit_id, for_update=True, if_match=if_match
    )
    if permit.status not in EDITABLE:
        raise refuse(
            "permit_frozen",
            "作业票提交后不得涂改；作业内容、范围、地点变化须重新办理作业票",
            "A submitted permit is not altered; a change needs a new permit",
            "GB 30871-2022 4.16–4.18",
        )
    changes = body.model_dump(exclude_unset=True)
    _no_nulls(changes)
    before = {k: getattr(permit, k) for k in changes}
    for key, value in changes.items():
        setattr(permit, key, value)
    await session.flush()
    await write_history(session, permit, actor=actor, action="update", from_status=permit.status)
    audit.record(
        session,
        actor=actor,
        action="update",
        object_type=OBJECT_TYPE,
        object_id=permit.id,
        changes=audit.diff(before, changes),
    )
    await session.flush()
    return permit
