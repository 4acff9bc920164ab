"""The permit transitions (`/api/v1/permits/{id}/{action}`): each finds and locks the permit in
the caller's scope, runs the guards of its step and hands over to the transition engine."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.permit import ConfinedSpace, Delegation, Duty, Permit
from app.models.permit_records import PermitInterruption, PermitMeasure, PermitSignoff
from app.rules.permits.approval import Route, approval_route, check_approver
from app.rules.permits.kinds import EnterpriseRole, PermitType
from app.schemas.permit import OptionalNote, ReasonBody, SignBody
from app.services import delegations
from app.services.permits import guards
from app.services.permits.errors import refuse, rules_as_problems
from app.services.permits.machine import PERMITS
from app.services.permits.queries import get_permit
from app.services.permits.rules_store import rules_of
from app.services.policy import Actor
from app.services.workflow import transition


async def load(
    session: AsyncSession, actor: Actor, permit_id: uuid.UUID, action: str, if_match: int | None
) -> Permit:
    PERMITS.authorise(action, actor)
    permit = await get_permit(
        session, actor=actor, permit_id=permit_id, for_update=True, if_match=if_match
    )
    PERMITS.check(action, permit.status)
    return permit


async def go(
    session: AsyncSession,
    actor: Actor,
    permit: Permit,
    action: str,
    data: dict[str, Any] | None = None,
    note: str | None = None,
) -> Permit:
    await transition(
        session,
        machine=PERMITS,
        obj=permit,
        actor=actor,
        action=action,
        data=data or {},
        note=note,
        payload={"enterprise_id": permit.enterprise_id, "type": permit.type},
    )
    return permit


async def open_interruption(session: AsyncSession, permit: Permit) -> PermitInterruption | None:
    return await session.scalar(
        select(PermitInterruption).where(
            PermitInterruption.permit_id == permit.id, PermitInterruption.ended_at.is_(None)
        )
    )


async def submit(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: OptionalNote,
    if_match: int | None = None,
) -> Permit:
    """Every measure answered (GB 30871 A.1/A.2/A.4); the approval route fixed from the matrix."""
    permit = await load(session, actor, permit_id, "submit", if_match)
    measures = await session.scalar(
        select(func.count()).where(PermitMeasure.permit_id == permit.id)
    )
    if not measures:
        raise refuse(
            "measures_unanswered",
            "提交前须逐项确认安全措施（是否涉及）",
            "Answer the safety measures before submitting",
            "GB 30871-2022 表A.1/A.2/A.4",
        )
    space = (
        await session.get(ConfinedSpace, permit.confined_space_id)
        if permit.confined_space_id
        else None
    )
    with rules_as_problems():
        route = approval_route(
            permit_type=permit.type,
            grade=permit.grade,
            poisoning_risk=bool(space and space.poisoning_risk),
            rules=rules_of(permit),
        )
    permit.approval = {
        "approvers": list(route.approvers),
        "principal_only": route.principal_only,
        "citation": route.citation,
    }
    permit.status_reason = None
    return await go(session, actor, permit, "submit", note=data.note)


async def sign(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: SignBody,
    if_match: int | None = None,
) -> Permit:
    """Approval on site by a holder of the duty the route needs (or the principal / a written
    delegate under 13号令 art. 7); never by the applicant."""
    permit = await load(session, actor, permit_id, "sign", if_match)
    if not data.on_site:
        raise refuse(
            "approval_not_on_site",
            "审批人须到作业现场审批",
            "The approver must be on site",
            "GB 30871-2022 4.11",
            invalid=True,
        )
    used = await _check_signer(session, actor, permit)
    session.add(
        PermitSignoff(
            permit_id=permit.id,
            step="approval",
            decision="approve",
            signer_id=actor.user_id,
            duty=used.duty if used else None,
            delegation_id=used.id if used else None,
            on_site=True,
            comment=data.comment,
        )
    )
    permit.approved_by = actor.user_id
    return await go(session, actor, permit, "sign", {"delegation_id": used.id if used else None})


async def _check_signer(session: AsyncSession, actor: Actor, permit: Permit) -> Delegation | None:
    """The grant the signer approves under; refused without authority (B.1, art. 7)."""
    grants = await delegations.duties_of(
        session,
        user_id=actor.user_id,
        enterprise_id=permit.enterprise_id,
        permit_type=permit.type,
    )
    route = Route(
        tuple(EnterpriseRole(r) for r in permit.approval["approvers"]),
        bool(permit.approval["principal_only"]),
        str(permit.approval["citation"]),
    )
    duties = [g.duty for g in grants if g.duty != Duty.principal_delegate]
    delegate = next((g for g in grants if g.duty == Duty.principal_delegate), None)
    with rules_as_problems():
        check_approver(
            route,
            duties=duties,
            written_delegate=delegate is not None,
            signer_is_applicant=actor.user_id == permit.applicant_id,
        )
    principal = next((g for g in grants if g.duty == Duty.principal), None)
    return principal or delegate or (grants[0] if grants else None)


async def reject(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: ReasonBody,
    if_match: int | None = None,
) -> Permit:
    permit = await load(session, actor, permit_id, "reject", if_match)
    session.add(
        PermitSignoff(
            permit_id=permit.id,
            step="approval",
            decision="reject",
            signer_id=actor.user_id,
            on_site=False,
            comment=data.reason,
        )
    )
    permit.status_reason = data.reason
    return await go(session, actor, permit, "reject", {"reason": data.reason}, data.reason)


async def start(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: OptionalNote,
    if_match: int | None = None,
) -> Permit:
    permit = await load(session, actor, permit_id, "start", if_match)
    rules, now = rules_of(permit), guards.now_utc()
    guards.within_validity(permit, now)
    await guards.guardians_present(session, permit, rules)
    if permit.type in guards.TESTED:
        test = await guards.fresh_passing_test(session, permit, rules, now, after=None)
        if permit.type == PermitType.confined_space:
            await guards.ventilated_before(session, permit, test, since=None)
    await guards.certificates_valid(session, permit, guards.today())
    return await go(session, actor, permit, "start", note=data.note)
