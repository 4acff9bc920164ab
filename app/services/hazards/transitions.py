"""Lifecycle transitions (brief §3) on the shared engine (`app/services/workflow.py`): the
table in `machine.py` drives permission, state, stamp, the verifier gate, the major plan's
required fields, and the history, audit and `hazard.<action>` event rows, written with the
change in one transaction. Each action here keeps only its own checks and field changes.

The hazard row is locked (SELECT … FOR UPDATE on PostgreSQL) and versioned, so of two
conflicting transitions one wins and the other gets 409 (or 412 with a stale If-Match).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Conflict, PreconditionFailed, Unprocessable
from app.models.hazard import Hazard, HazardStatus, PhotoKind
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
from app.services.hazards.common import attach_photos, now_utc
from app.services.hazards.machine import HAZARDS
from app.services.hazards.queries import get_hazard
from app.services.policy import Actor
from app.services.workflow import Guard, transition


async def _load(
    session: AsyncSession, actor: Actor, hazard_id: uuid.UUID, action: str, if_match: int | None
) -> Hazard:
    """The locked hazard: permission (403) before the lookup (404), then If-Match (412)."""
    HAZARDS.authorise(action, actor)
    hazard = await get_hazard(session, actor=actor, hazard_id=hazard_id, for_update=True)
    if if_match is not None and if_match != hazard.version:
        raise PreconditionFailed()
    return hazard


async def _take(
    session: AsyncSession,
    actor: Actor,
    hazard: Hazard,
    action: str,
    *,
    guards: tuple[Guard, ...] = (),
    apply: Guard | None = None,
    body: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    note: str | None = None,
    target: str | None = None,
) -> Hazard:
    await transition(
        session,
        machine=HAZARDS,
        obj=hazard,
        actor=actor,
        action=action,
        guards=guards,
        apply=apply,
        body=body or {},
        data=data,
        note=note,
        target=target,
    )
    return hazard


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


def _require_major(hazard: Hazard, action: str) -> Guard:
    def guard() -> None:
        if hazard.level != HazardLevel.major:
            raise Conflict(
                f"只有重大事故隐患可以执行 {action}",
                f"Only major hazards can be {action}d",
                code="not_major",
                extra={"level": hazard.level},
            )

    return guard


async def plan(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: PlanBody,
    if_match: int | None = None,
    horizon_days: int,
) -> Hazard:
    hazard = await _load(session, actor, hazard_id, "plan", if_match)

    def apply() -> None:
        for key, value in data.model_dump(exclude={"production_suspended"}).items():
            setattr(hazard, key, value)
        if data.production_suspended is not None:
            hazard.production_suspended = data.production_suspended and hazard.level == "major"

    return await _take(
        session,
        actor,
        hazard,
        "plan",
        guards=(lambda: _not_past(data.deadline, "deadline", horizon_days),),
        apply=apply,
        body=data.model_dump(),
        data={"deadline": data.deadline},
    )


async def submit(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: SubmitBody,
    if_match: int | None = None,
) -> Hazard:
    hazard = await _load(session, actor, hazard_id, "submit", if_match)

    async def apply() -> None:
        await attach_photos(
            session, hazard, actor=actor, photo_ids=data.photo_ids, kind=PhotoKind.evidence.value
        )
        hazard.evidence = data.evidence

    return await _take(
        session, actor, hazard, "submit", apply=apply, data={"photo_ids": data.photo_ids}
    )


def _failing_needs_note(data: VerifyBody) -> None:
    if not data.passed and not (data.note and data.note.strip()):
        raise Unprocessable(
            "验收不通过须说明理由 note",
            "note is required when failing",
            code="note_required",
            field=["body", "note"],
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
    hazard = await _load(session, actor, hazard_id, "verify", if_match)
    extra: dict[str, Any] = {"passed": data.passed}
    if not data.passed and data.new_deadline is not None:
        extra |= {"old_deadline": hazard.deadline, "new_deadline": data.new_deadline}

    def apply() -> None:
        now = now_utc()
        hazard.verified_at, hazard.verified_by = now, actor.user_id
        if data.passed:
            hazard.closed_at = now
        elif data.new_deadline is not None:
            hazard.deadline = data.new_deadline

    def new_deadline_ok() -> None:
        if not data.passed and data.new_deadline is not None:
            _not_past(data.new_deadline, "new_deadline", horizon_days)

    passed = HazardStatus.closed if data.passed else HazardStatus.rectifying
    return await _take(
        session,
        actor,
        hazard,
        "verify",
        guards=(lambda: _failing_needs_note(data), new_deadline_ok),
        apply=apply,
        data=extra,
        note=data.note,
        target=passed.value,
    )


async def void(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: ReasonBody,
    if_match: int | None = None,
) -> Hazard:
    hazard = await _load(session, actor, hazard_id, "void", if_match)

    def apply() -> None:
        hazard.void_reason = data.reason

    return await _take(session, actor, hazard, "void", apply=apply, note=data.reason)


async def supervise(
    session: AsyncSession,
    *,
    actor: Actor,
    hazard_id: uuid.UUID,
    data: SuperviseBody,
    if_match: int | None = None,
) -> Hazard:
    hazard = await _load(session, actor, hazard_id, "supervise", if_match)

    def apply() -> None:
        hazard.supervised, hazard.supervise_unit, hazard.supervise_due = True, data.unit, data.due

    return await _take(
        session,
        actor,
        hazard,
        "supervise",
        # 挂牌督办: the street office sets the due date, with no horizon
        guards=(_require_major(hazard, "supervise"), lambda: _not_past(data.due, "due", None)),
        apply=apply,
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
    hazard = await _load(session, actor, hazard_id, "extend", if_match)
    old = hazard.deadline
    horizon = None if actor.is_street_office else horizon_days

    def apply() -> None:
        hazard.deadline = data.new_deadline

    return await _take(
        session,
        actor,
        hazard,
        "extend",
        guards=(lambda: _not_past(data.new_deadline, "new_deadline", horizon),),
        apply=apply,
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
    hazard = await _load(session, actor, hazard_id, "downgrade", if_match)

    def apply() -> None:
        # The basis keeps what the major determination rested on, plus who downgraded and why.
        downgraded = {"reason": data.reason, "by": actor.user_id, "at": now_utc()}
        hazard.basis = {
            **hazard.basis,
            "downgraded": audit.jsonable(downgraded | {"from_level": "major"}),
        }
        hazard.level = HazardLevel.general.value
        hazard.supervised = False
        hazard.production_suspended = False

    return await _take(
        session,
        actor,
        hazard,
        "downgrade",
        guards=(_require_major(hazard, "downgrade"),),
        apply=apply,
        note=data.reason,
    )
