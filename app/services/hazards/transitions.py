"""Lifecycle transitions (brief §3): each checks role, scope, state and required fields, then
writes the change, a history row, an audit row and a `hazard.<action>` event in one
transaction. The hazard row is locked (SELECT … FOR UPDATE on PostgreSQL) and versioned, so
of two conflicting transitions one wins and the other gets 409 (or 412 with a stale If-Match).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from app.core.errors import Conflict, Forbidden, PreconditionFailed, Unprocessable
from app.models.hazard import Hazard, HazardStatus, PhotoKind
from app.models.user import Role
from app.rules.calendar import today_in_shanghai
from app.rules.levels import HazardLevel
from app.schemas.hazard import (
    ExtendBody,
    PlanBody,
    ReasonBody,
    SubmitBody,
    SuperviseBody,
    VerifyBody,
)
from app.services import audit
from app.services.hazards.common import OBJECT_TYPE, add_history, attach_photos, now_utc
from app.services.hazards.events import hazard_payload
from app.services.hazards.machine import TRANSITIONS, check_state
from app.services.hazards.queries import get_hazard
from app.services.policy import Actor, require_permission

_TRACKED = (
    "status",
    "deadline",
    "responsible_person",
    "level",
    "supervised",
    "production_suspended",
)


async def _begin(
    session: AsyncSession, actor: Actor, hazard_id: uuid.UUID, action: str, if_match: int | None
) -> Hazard:
    require_permission(actor, TRANSITIONS[action].permission)
    hazard = await get_hazard(session, actor=actor, hazard_id=hazard_id, for_update=True)
    if if_match is not None and if_match != hazard.version:
        raise PreconditionFailed()
    check_state(action, hazard.status)
    return hazard


async def _finish(
    session: AsyncSession,
    actor: Actor,
    hazard: Hazard,
    *,
    action: str,
    before: dict[str, Any],
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> Hazard:
    try:
        await session.flush()
    except StaleDataError as exc:  # SQLite: a concurrent writer got there first
        raise Conflict("隐患已被他人修改，请刷新后重试", "Modified concurrently") from exc
    await add_history(
        session,
        hazard,
        actor=actor,
        action=action,
        from_status=before["status"],
        note=note,
        data=data,
    )
    after = {k: getattr(hazard, k) for k in _TRACKED}
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type=OBJECT_TYPE,
        object_id=hazard.id,
        changes=audit.diff(before, after) | ({"note": note} if note else {}),
    )
    audit.emit(
        session,
        topic=f"hazard.{action}",
        object_type=OBJECT_TYPE,
        object_id=hazard.id,
        payload=await hazard_payload(session, hazard, **{"from": before["status"]}),
    )
    await session.flush()
    return hazard


def _snapshot(hazard: Hazard) -> dict[str, Any]:
    return {k: getattr(hazard, k) for k in _TRACKED}


def _not_past(value: date, field: str, horizon_days: int | None) -> None:
    """Brief §3: a new deadline may not lie in the past (Shanghai date). Nor beyond the plan
    horizon (issue 10 finding 12: a deadline of 9999-12-31 would never be overdue, and 动态清零
    needs every hazard rectified within a bounded time); `None` only for the street office's
    extension, which is how a longer time is granted."""
    today = today_in_shanghai()
    if value < today:
        raise Unprocessable(
            "期限不能早于今天",
            "The date may not lie in the past",
            code="date_in_past",
            field=["body", field],
        )
    if horizon_days is not None and value > today + timedelta(days=horizon_days):
        raise Unprocessable(
            f"期限不得晚于今天起 {horizon_days} 天；更长的期限须由街道安委办延期批准",
            f"The date may be at most {horizon_days} days ahead; the street office may extend it",
            code="deadline_too_far",
            field=["body", field],
        )


def _is_verifier(actor: Actor, hazard: Hazard) -> bool:
    """Brief §3: major → street office only; general → the side that found it."""
    if hazard.level == HazardLevel.major:
        return actor.is_street_office
    if hazard.found_by_role == Role.enterprise_head:
        return actor.role == Role.enterprise_head
    return actor.role in (Role.grid_staff, Role.street_office)


def _refuse(zh: str, en: str, code: str) -> Forbidden:
    return Forbidden(zh, en, code=code)


async def plan(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: PlanBody,
    if_match: int | None = None,
    horizon_days: int,
) -> Hazard:
    hazard = await _begin(session, actor, hazard_id, "plan", if_match)
    _not_past(data.deadline, "deadline", horizon_days)
    if hazard.level == HazardLevel.major:
        # 五落实 for major hazards (brief §7): funds, goal, interim measures, emergency plan.
        missing = [
            f
            for f in ("funds", "goal", "interim_measures", "emergency_plan")
            if getattr(data, f) in (None, "")
        ]
        if missing:
            raise Unprocessable(
                f"重大事故隐患整改方案须包含：{'、'.join(missing)}",
                f"A major hazard's plan needs: {', '.join(missing)}",
                code="plan_incomplete",
                extra={
                    "errors": [
                        {"loc": ["body", f], "msg": "必填", "type": "missing"} for f in missing
                    ]
                },
            )
    before = _snapshot(hazard)
    fields = data.model_dump(exclude={"production_suspended"})
    for key, value in fields.items():
        setattr(hazard, key, value)
    if data.production_suspended is not None:
        hazard.production_suspended = data.production_suspended and hazard.level == "major"
    hazard.status = HazardStatus.rectifying.value
    hazard.planned_at = now_utc()
    return await _finish(
        session, actor, hazard, action="plan", before=before, data={"deadline": data.deadline}
    )


async def submit(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: SubmitBody,
    if_match: int | None = None,
) -> Hazard:
    hazard = await _begin(session, actor, hazard_id, "submit", if_match)
    before = _snapshot(hazard)
    await attach_photos(
        session, hazard, actor=actor, photo_ids=data.photo_ids, kind=PhotoKind.evidence.value
    )
    hazard.evidence = data.evidence
    hazard.status = HazardStatus.pending_verification.value
    hazard.submitted_at = now_utc()
    return await _finish(
        session, actor, hazard, action="submit", before=before, data={"photo_ids": data.photo_ids}
    )


async def verify(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: VerifyBody,
    if_match: int | None = None,
    horizon_days: int,
) -> Hazard:
    hazard = await _begin(session, actor, hazard_id, "verify", if_match)
    if not _is_verifier(actor, hazard):
        raise _refuse(
            "重大事故隐患只能由街道安委办验收销号；一般隐患由发现方验收",
            "Major hazards are verified by the street office; general ones by the finder's side",
            "not_verifier",
        )
    if not data.passed and not (data.note and data.note.strip()):
        raise Unprocessable(
            "验收不通过须说明理由 note",
            "note is required when failing",
            code="note_required",
            field=["body", "note"],
        )
    before = _snapshot(hazard)
    extra: dict[str, Any] = {"passed": data.passed}
    now = now_utc()
    hazard.verified_at, hazard.verified_by = now, actor.user_id
    if data.passed:
        hazard.status, hazard.closed_at = HazardStatus.closed.value, now
    else:
        hazard.status = HazardStatus.rectifying.value
        if data.new_deadline is not None:
            _not_past(data.new_deadline, "new_deadline", horizon_days)
            extra |= {"old_deadline": hazard.deadline, "new_deadline": data.new_deadline}
            hazard.deadline = data.new_deadline
    return await _finish(
        session, actor, hazard, action="verify", before=before, note=data.note, data=extra
    )


async def void(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: ReasonBody,
    if_match: int | None = None,
) -> Hazard:
    hazard = await _begin(session, actor, hazard_id, "void", if_match)
    before = _snapshot(hazard)
    hazard.status, hazard.voided_at, hazard.void_reason = "voided", now_utc(), data.reason
    return await _finish(session, actor, hazard, action="void", before=before, note=data.reason)


def _require_major(hazard: Hazard, action: str) -> None:
    if hazard.level != HazardLevel.major:
        raise Conflict(
            f"只有重大事故隐患可以执行 {action}",
            f"Only major hazards can be {action}d",
            code="not_major",
            extra={"level": hazard.level},
        )


async def supervise(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: SuperviseBody,
    if_match: int | None = None,
) -> Hazard:
    hazard = await _begin(session, actor, hazard_id, "supervise", if_match)
    _require_major(hazard, "supervise")
    _not_past(data.due, "due", None)  # 挂牌督办: the street office sets the due date
    before = _snapshot(hazard)
    hazard.supervised, hazard.supervise_unit, hazard.supervise_due = True, data.unit, data.due
    hazard.supervised_at = now_utc()
    return await _finish(
        session,
        actor,
        hazard,
        action="supervise",
        before=before,
        data={"unit": data.unit, "due": data.due},
    )


async def extend(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: ExtendBody,
    if_match: int | None = None,
    horizon_days: int,
) -> Hazard:
    hazard = await _begin(session, actor, hazard_id, "extend", if_match)
    if not _is_verifier(actor, hazard):
        raise _refuse(
            "重大事故隐患的延期只能由街道安委办批准；一般隐患由验收方批准",
            "Extensions are granted by whoever verifies the hazard",
            "not_verifier",
        )
    _not_past(data.new_deadline, "new_deadline", None if actor.is_street_office else horizon_days)
    before = _snapshot(hazard)
    old = hazard.deadline
    hazard.deadline = data.new_deadline
    return await _finish(
        session,
        actor,
        hazard,
        action="extend",
        before=before,
        note=data.reason,
        data={"old_deadline": old, "new_deadline": data.new_deadline},
    )


async def downgrade(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: ReasonBody,
    if_match: int | None = None,
) -> Hazard:
    hazard = await _begin(session, actor, hazard_id, "downgrade", if_match)
    _require_major(hazard, "downgrade")
    before = _snapshot(hazard)
    # The basis keeps what the major determination rested on, plus who downgraded and why.
    hazard.basis = {
        **hazard.basis,
        "downgraded": audit.jsonable(
            {"reason": data.reason, "by": actor.user_id, "at": now_utc(), "from_level": "major"}
        ),
    }
    hazard.level = HazardLevel.general.value
    hazard.supervised = False
    hazard.production_suspended = False
    return await _finish(
        session, actor, hazard, action="downgrade", before=before, note=data.reason
    )
