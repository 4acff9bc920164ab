"""Transitions during and after the work: suspend, resume, revoke, complete, accept, cancel,
expire, and the street office's order-stop and consent (13号令 art. 18)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.models.hazard import HazardSource
from app.models.permit import Permit
from app.models.permit_records import PermitInterruption, PermitSignoff
from app.rules.permits.kinds import PermitType
from app.schemas.permit import OptionalNote, OrderStopBody, ReasonBody
from app.services.permits import guards, violations
from app.services.permits.actions import go, load, open_interruption
from app.services.permits.errors import refuse
from app.services.permits.rules_store import rules_of
from app.services.policy import Actor


async def _interrupt(
    session: AsyncSession, actor: Actor, permit: Permit, reason: str, *, order_stop: bool
) -> None:
    open_ = await open_interruption(session, permit)
    if open_ is not None:
        open_.order_stop = open_.order_stop or order_stop
        return
    session.add(
        PermitInterruption(
            permit_id=permit.id,
            started_at=guards.now_utc(),
            reason=reason,
            order_stop=order_stop,
            recorded_by=actor.user_id,
        )
    )


async def suspend(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: ReasonBody,
    if_match: int | None = None,
) -> Permit:
    permit = await load(session, actor, permit_id, "suspend", if_match)
    await _interrupt(session, actor, permit, data.reason, order_stop=False)
    permit.status_reason = data.reason
    return await go(session, actor, permit, "suspend", {"reason": data.reason}, data.reason)


def _needs_retest(permit: Permit, gap_s: float) -> bool:
    """13号令 art. 15 (confined): after any interruption; GB 5.3.1d (hot): past the gap."""
    if permit.type not in guards.TESTED:
        return False
    limit = rules_of(permit).retest_gap.get((permit.type, permit.grade or ""))
    return limit is None or gap_s > limit.total_seconds()


async def resume(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: OptionalNote,
    if_match: int | None = None,
) -> Permit:
    permit = await load(session, actor, permit_id, "resume", if_match)
    if permit.requires_review:
        raise refuse(
            "review_required",
            "街道责令暂停的作业，须经审查同意后方可恢复",
            "An order-stopped permit resumes only after the street office's consent",
            "应急管理部令第13号 第十八条",
        )
    now = guards.now_utc()
    guards.within_validity(permit, now)
    await guards.guardians_present(session, permit, rules_of(permit))
    gap = await open_interruption(session, permit)
    since = gap.started_at if gap else permit.suspended_at
    if since is not None and _needs_retest(permit, (now - since).total_seconds()):
        test = await guards.fresh_passing_test(session, permit, rules_of(permit), now, after=since)
        if permit.type == PermitType.confined_space:
            await guards.ventilated_before(session, permit, test, since=since)
    if gap is not None:
        gap.ended_at = now
    permit.status_reason = None
    return await go(session, actor, permit, "resume", note=data.note)


async def revoke(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: ReasonBody,
    if_match: int | None = None,
) -> Permit:
    permit = await load(session, actor, permit_id, "revoke", if_match)
    if (gap := await open_interruption(session, permit)) is not None:
        gap.ended_at = guards.now_utc()
    permit.status_reason = data.reason
    return await go(session, actor, permit, "revoke", {"reason": data.reason}, data.reason)


async def complete(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: OptionalNote,
    if_match: int | None = None,
) -> Permit:
    permit = await load(session, actor, permit_id, "complete", if_match)
    if permit.type == PermitType.confined_space:
        await guards.entries_balanced(session, permit)
    return await go(session, actor, permit, "complete", note=data.note)


async def accept(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: OptionalNote,
    if_match: int | None = None,
) -> Permit:
    """完工验收 (GB 30871-2022 4.15)."""
    permit = await load(session, actor, permit_id, "accept", if_match)
    session.add(
        PermitSignoff(
            permit_id=permit.id,
            step="acceptance",
            decision="approve",
            signer_id=actor.user_id,
            on_site=True,
            comment=data.note,
        )
    )
    return await go(session, actor, permit, "accept", note=data.note)


async def cancel(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: ReasonBody,
    if_match: int | None = None,
) -> Permit:
    permit = await load(session, actor, permit_id, "cancel", if_match)
    permit.status_reason = data.reason
    return await go(session, actor, permit, "cancel", {"reason": data.reason}, data.reason)


async def expire(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: OptionalNote,
    if_match: int | None = None,
) -> Permit:
    permit = await load(session, actor, permit_id, "expire", if_match)
    if guards.now_utc() <= permit.valid_to:
        raise refuse(
            "not_expired",
            "作业票尚在有效期内",
            "The permit is still valid",
            "GB 30871-2022 4.16",
        )
    if (gap := await open_interruption(session, permit)) is not None:
        gap.ended_at = guards.now_utc()
    return await go(session, actor, permit, "expire", note=data.note)


async def order_stop(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: OrderStopBody,
    if_match: int | None = None,
) -> Permit:
    """责令暂停作业、撤出作业人员 (13号令 art. 18): suspended until reviewed and consented."""
    permit = await load(session, actor, permit_id, "order_stop", if_match)
    await _interrupt(session, actor, permit, data.reason, order_stop=True)
    permit.requires_review = True
    permit.status_reason = data.reason
    hazard_id = None
    if data.create_hazard:
        v = (
            violations.ORDER_STOP
            if permit.type == PermitType.confined_space
            else violations.ORDER_STOP_OTHER
        )
        row = await violations.record(
            session, actor=actor, permit=permit, violation=v, source=HazardSource.enforcement
        )
        hazard_id = row.hazard_id
    return await go(
        session,
        actor,
        permit,
        "order_stop",
        {"reason": data.reason, "hazard_id": hazard_id},
        data.reason,
    )


async def consent(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    data: OptionalNote,
    if_match: int | None = None,
) -> Permit:
    """审查同意 (13号令 art. 18): the enterprise may then resume, after its own re-test."""
    permit = await load(session, actor, permit_id, "consent", if_match)
    if not permit.requires_review:
        raise refuse(
            "no_review_pending",
            "该作业票没有待审查的责令暂停",
            "No order-stop awaits review",
            "应急管理部令第13号 第十八条",
        )
    if (gap := await open_interruption(session, permit)) is not None:
        gap.reviewed_by = actor.user_id
    permit.requires_review = False
    return await go(session, actor, permit, "consent", note=data.note)
