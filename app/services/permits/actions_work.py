"""Transitions during and after the work: start, suspend, resume, revoke, complete, accept,
cancel, expire, and the street office's order-stop and consent (13号令 art. 18)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from app.models.hazard import HazardSource
from app.models.permit import Permit
from app.models.permit_records import PermitInterruption, PermitSignoff, WindReading
from app.rules.calendar import shanghai_date
from app.rules.permits.hotwork import check_wind, retest_reason
from app.rules.permits.kinds import PermitType
from app.schemas.permit import (
    CompleteBody,
    OptionalNote,
    OrderStopBody,
    ReasonBody,
    ResumeBody,
    StartBody,
)
from app.services.permits import guards, violations
from app.services.permits.actions import go, handler, open_interruption, operation, with_reason
from app.services.permits.errors import refuse, rules_as_problems
from app.services.permits.rules_store import rules_of
from app.services.policy import Actor


async def _on_site_checks(
    session: AsyncSession, actor: Actor, permit: Permit, action: str, wind_force: int | None
) -> None:
    """What start and resume both need: validity, no wind stop, the watch on site, the
    related permit active. An accepted wind reading is kept."""
    guards.within_validity(permit, guards.now_utc())
    with rules_as_problems():
        check_wind(
            permit_type=permit.type,
            outdoor=permit.outdoor,
            force=wind_force,
            rules=rules_of(permit),
        )
    await guards.guardians_present(session, permit, rules_of(permit))
    await guards.related_active(session, permit)
    if wind_force is not None:
        session.add(
            WindReading(
                permit_id=permit.id, force=wind_force, action=action, recorded_by=actor.user_id
            )
        )


@handler("start")
async def _start(session: AsyncSession, actor: Actor, permit: Permit, data: StartBody) -> Permit:
    rules, now = rules_of(permit), guards.now_utc()
    await _on_site_checks(session, actor, permit, "start", data.wind_force)
    guards.video_recorded(permit, data.video_ref)
    if permit.type in guards.TESTED:
        test = await guards.fresh_passing_test(session, permit, rules, now, after=None)
        if permit.type == PermitType.confined_space:
            await guards.ventilated_before(session, permit, test, since=None)
    await guards.certificates_valid(session, permit, guards.today())
    return await go(session, actor, permit, "start", {"wind_force": data.wind_force}, data.note)


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


@handler("suspend")
async def _suspend(session: AsyncSession, actor: Actor, permit: Permit, data: ReasonBody) -> Permit:
    await _interrupt(session, actor, permit, data.reason, order_stop=False)
    return await with_reason(session, actor, permit, "suspend", data.reason)


async def _retested(session: AsyncSession, permit: Permit) -> PermitInterruption | None:
    """A new passing test when the gap or a new day needs one (13号令 art. 15; GB 5.3.1d)."""
    rules, now = rules_of(permit), guards.now_utc()
    gap = await open_interruption(session, permit)
    since = gap.started_at if gap else permit.suspended_at
    last = await guards.last_test(session, permit)
    reason = retest_reason(
        permit_type=permit.type,
        grade=permit.grade,
        gap=now - since if since else None,
        last_test_day=shanghai_date(last.sampled_at) if last else None,
        today=guards.today(),
        rules=rules,
    )
    if reason == "new_day" and (last is None or now - last.sampled_at > rules.pretest_max_age):
        raise refuse(
            "daily_retest_required",
            "动火作业每日动火前须重新进行动火分析",
            "Hot work is gas-tested again every day before work",
            "GB 30871-2022 5.3.1d",
        )
    if reason is not None:
        after = since if reason == "interruption" else None
        test = await guards.fresh_passing_test(session, permit, rules, now, after=after)
        if permit.type == PermitType.confined_space:
            await guards.ventilated_before(session, permit, test, since=since)
    return gap


@handler("resume")
async def _resume(session: AsyncSession, actor: Actor, permit: Permit, data: ResumeBody) -> Permit:
    if permit.requires_review:
        raise refuse(
            "review_required",
            "街道责令暂停的作业，须经审查同意后方可恢复",
            "An order-stopped permit resumes only after the street office's consent",
            "应急管理部令第13号 第十八条",
        )
    await _on_site_checks(session, actor, permit, "resume", data.wind_force)
    gap = await _retested(session, permit)
    if gap is not None:
        gap.ended_at = guards.now_utc()
    permit.status_reason = None
    return await go(session, actor, permit, "resume", {"wind_force": data.wind_force}, data.note)


async def _end_interruption(session: AsyncSession, permit: Permit) -> None:
    if (gap := await open_interruption(session, permit)) is not None:
        gap.ended_at = guards.now_utc()


@handler("revoke")
async def _revoke(session: AsyncSession, actor: Actor, permit: Permit, data: ReasonBody) -> Permit:
    await _end_interruption(session, permit)
    return await with_reason(session, actor, permit, "revoke", data.reason)


@handler("complete")
async def _complete(
    session: AsyncSession, actor: Actor, permit: Permit, data: CompleteBody
) -> Permit:
    if permit.type == PermitType.confined_space:
        await guards.entries_balanced(session, permit)
    if permit.type == PermitType.hot_work:
        await guards.residual_checked(session, permit, data.residual_checked_by)
    return await go(session, actor, permit, "complete", note=data.note)


@handler("accept")
async def _accept(
    session: AsyncSession, actor: Actor, permit: Permit, data: OptionalNote
) -> Permit:
    """完工验收 (GB 30871-2022 4.15); hot work only after the residual-fire check (5.2.14)."""
    if permit.type == PermitType.hot_work and permit.residual_checked_at is None:
        await guards.residual_checked(session, permit, None)
    session.add(
        PermitSignoff(
            permit_id=permit.id,
            step="acceptance",
            round=int(permit.approval.get("round", 1)),
            decision="approve",
            signer_id=actor.user_id,
            on_site=True,
            comment=data.note,
        )
    )
    return await go(session, actor, permit, "accept", note=data.note)


@handler("cancel")
async def _cancel(session: AsyncSession, actor: Actor, permit: Permit, data: ReasonBody) -> Permit:
    return await with_reason(session, actor, permit, "cancel", data.reason)


@handler("expire")
async def _expire(
    session: AsyncSession, actor: Actor, permit: Permit, data: OptionalNote
) -> Permit:
    if guards.now_utc() <= permit.valid_to:
        raise refuse(
            "not_expired",
            "作业票尚在有效期内",
            "The permit is still valid",
            "GB 30871-2022 4.16",
        )
    await _end_interruption(session, permit)
    return await go(session, actor, permit, "expire", note=data.note)


@handler("order_stop")
async def _order_stop(
    session: AsyncSession, actor: Actor, permit: Permit, data: OrderStopBody
) -> Permit:
    """责令暂停作业、撤出作业人员 (13号令 art. 18): suspended until reviewed and consented;
    the hazard of the stop and of each finding on site recorded once (permits.md §9)."""
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
    found = [
        await violations.record_finding(session, actor=actor, permit=permit, finding=f.value)
        for f in data.findings
    ]
    info = {"reason": data.reason, "hazard_id": hazard_id, "findings": [r.code for r in found]}
    return await go(session, actor, permit, "order_stop", info, data.reason)


@handler("consent")
async def _consent(
    session: AsyncSession, actor: Actor, permit: Permit, data: OptionalNote
) -> Permit:
    """审查同意 (13号令 art. 18): the enterprise may then resume, after its own re-test."""
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


start = operation("start")
suspend = operation("suspend")
resume = operation("resume")
revoke = operation("revoke")
complete = operation("complete")
accept = operation("accept")
cancel = operation("cancel")
expire = operation("expire")
order_stop = operation("order_stop")
consent = operation("consent")
