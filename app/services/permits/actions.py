"""The permit transitions (`/api/v1/permits/{id}/{action}`): one entry point finds and locks
the permit in the caller's scope and runs the handler of its action, which checks the step's
guards and hands over to the transition engine. Here: submit, the B.1 sign-off, reject."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.permit import ConfinedSpace, Delegation, Duty, Permit
from app.models.permit import PermitStatus as S
from app.models.permit_records import PermitInterruption, PermitMeasure, PermitSignoff
from app.rules.permits.approval import Route, SignStep, check_approver, next_step, signoff_route
from app.rules.permits.kinds import EnterpriseRole
from app.rules.permits.measures import missing_measures
from app.schemas.permit import OptionalNote, ReasonBody, SignBody
from app.services import delegations
from app.services.permits.errors import refuse, rules_as_problems
from app.services.permits.machine import PERMITS
from app.services.permits.queries import get_permit
from app.services.permits.rules_store import rules_of
from app.services.policy import Actor
from app.services.workflow import transition

Handler = Callable[[AsyncSession, Actor, Permit, Any], Awaitable[Permit]]
HANDLERS: dict[str, Handler] = {}


def handler(action: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[action] = fn
        return fn

    return register


async def load(
    session: AsyncSession, actor: Actor, permit_id: uuid.UUID, action: str, if_match: int | None
) -> Permit:
    PERMITS.authorise(action, actor)
    permit = await get_permit(
        session, actor=actor, permit_id=permit_id, for_update=True, if_match=if_match
    )
    PERMITS.check(action, permit.status)
    return permit


async def perform(
    session: AsyncSession,
    *,
    actor: Actor,
    permit_id: uuid.UUID,
    action: str,
    data: Any,
    if_match: int | None = None,
) -> Permit:
    """Take `action` on the permit: scope, lock, If-Match, state, then the action's guards."""
    if action not in HANDLERS:  # the work-phase handlers register when their module loads
        importlib.import_module("app.services.permits.actions_work")
    permit = await load(session, actor, permit_id, action, if_match)
    return await HANDLERS[action](session, actor, permit, data)


def operation(action: str) -> Callable[..., Awaitable[Permit]]:
    """`perform` bound to one action, under the action's own name (routes, sync, demo)."""

    async def op(
        session: AsyncSession,
        *,
        actor: Actor,
        permit_id: uuid.UUID,
        data: Any,
        if_match: int | None = None,
    ) -> Permit:
        return await perform(
            session, actor=actor, permit_id=permit_id, action=action, data=data, if_match=if_match
        )

    op.__name__ = op.__qualname__ = action
    return op


async def go(
    session: AsyncSession,
    actor: Actor | None,
    permit: Permit,
    action: str,
    data: dict[str, Any] | None = None,
    note: str | None = None,
    target: str | None = None,
) -> Permit:
    await transition(
        session,
        machine=PERMITS,
        obj=permit,
        actor=actor,
        action=action,
        data=data or {},
        note=note,
        target=target,
        payload={"enterprise_id": permit.enterprise_id, "type": permit.type},
    )
    return permit


async def with_reason(
    session: AsyncSession, actor: Actor | None, permit: Permit, action: str, reason: str
) -> Permit:
    """A transition whose reason is the permit's status reason and the history note."""
    permit.status_reason = reason
    return await go(session, actor, permit, action, {"reason": reason}, reason)


async def open_interruption(session: AsyncSession, permit: Permit) -> PermitInterruption | None:
    return await session.scalar(
        select(PermitInterruption).where(
            PermitInterruption.permit_id == permit.id, PermitInterruption.ended_at.is_(None)
        )
    )


async def _measures_complete(session: AsyncSession, permit: Permit) -> None:
    """Every catalogue measure answered, the mandatory ones involved and confirmed by name
    (GB 30871-2022 tables A.1/A.2/A.4; catalogue in rules/permits/measures.py)."""
    rows = await session.execute(
        select(PermitMeasure.code, PermitMeasure.involved, PermitMeasure.confirmed_by).where(
            PermitMeasure.permit_id == permit.id
        )
    )
    missing = missing_measures(permit.type, {c: (i, by) for c, i, by in rows})
    if missing:
        raise refuse(
            "measures_unanswered",
            f"提交前须逐项确认安全措施（必选措施须涉及并有确认人）：{'、'.join(missing)}",
            f"Answer the safety measures first (mandatory ones involved and confirmed): "
            f"{', '.join(missing)}",
            "GB 30871-2022 表A.1/A.2/A.4",
        )


def _step_json(step: SignStep) -> dict[str, Any]:
    r = step.route
    return {
        "step": step.step,
        "approvers": list(r.approvers),
        "principal_only": r.principal_only,
        "citation": r.citation,
    }


@handler("submit")
async def _submit(
    session: AsyncSession, actor: Actor, permit: Permit, data: OptionalNote
) -> Permit:
    """作业申请: measures answered; the sign-off route fixed from the matrix and overlay."""
    await _measures_complete(session, permit)
    space = (
        await session.get(ConfinedSpace, permit.confined_space_id)
        if permit.confined_space_id
        else None
    )
    with rules_as_problems():
        route = signoff_route(
            permit_type=permit.type,
            grade=permit.grade,
            poisoning_risk=bool(space and space.poisoning_risk),
            rules=rules_of(permit),
        )
    round_ = int(permit.approval.get("round", 0)) + 1
    # The final step's keys stay at the top level for clients reading `approval.approvers`.
    permit.approval = _step_json(route[-1]) | {
        "round": round_,
        "steps": [_step_json(s) for s in route],
    }
    permit.status_reason = None
    return await go(session, actor, permit, "submit", {"round": round_}, data.note)


def _route(permit: Permit) -> tuple[SignStep, ...]:
    a = permit.approval
    steps = a.get("steps") or [a | {"step": "approval"}]  # permits submitted before 0021
    return tuple(
        SignStep(
            str(s["step"]),
            Route(
                tuple(EnterpriseRole(r) for r in s["approvers"]),
                bool(s["principal_only"]),
                str(s["citation"]),
            ),
        )
        for s in steps
    )


async def _signers(session: AsyncSession, permit: Permit) -> list[str]:
    """Who signed this round's steps so far, in order."""
    rows = await session.scalars(
        select(PermitSignoff.signer_id)
        .where(
            PermitSignoff.permit_id == permit.id,
            PermitSignoff.round == int(permit.approval.get("round", 1)),
            PermitSignoff.decision == "approve",
            PermitSignoff.step != "acceptance",
        )
        .order_by(PermitSignoff.signed_at)
    )
    return [str(r) for r in rows]


@handler("sign")
async def _sign(session: AsyncSession, actor: Actor, permit: Permit, data: SignBody) -> Permit:
    """One B.1 signature, in order, by a distinct holder of the step's duty (or the principal
    / a written delegate under 13号令 art. 7); the last one, on site, approves the permit."""
    route, signers = _route(permit), await _signers(session, permit)
    applicant = str(permit.applicant_id) if permit.applicant_id else None
    with rules_as_problems():
        step = next_step(
            route,
            signers=signers,
            signer=str(actor.user_id),
            applicant=applicant,
            wanted=data.step.value if data.step else None,
        )
    last = len(signers) + 1 == len(route)
    if last and not data.on_site:
        raise refuse(
            "approval_not_on_site",
            "审批人须到作业现场审批",
            "The approver must be on site",
            "GB 30871-2022 4.11",
            invalid=True,
        )
    used = await _check_signer(session, actor, permit, step.route)
    session.add(_signoff(permit, actor, step.step, "approve", data.comment, data.on_site, used))
    if last:
        permit.approved_by, permit.approved_at = actor.user_id, datetime.now(UTC)
    info = {"step": step.step, "delegation_id": used.id if used else None}
    return await go(session, actor, permit, "sign", info, target=S.approved if last else None)


def _signoff(
    permit: Permit,
    actor: Actor,
    step: str,
    decision: str,
    comment: str | None,
    on_site: bool,
    used: Delegation | None = None,
) -> PermitSignoff:
    return PermitSignoff(
        permit_id=permit.id,
        step=step,
        round=int(permit.approval.get("round", 1)),
        decision=decision,
        signer_id=actor.user_id,
        duty=used.duty if used else None,
        delegation_id=used.id if used else None,
        on_site=on_site,
        comment=comment,
    )


async def _check_signer(
    session: AsyncSession, actor: Actor, permit: Permit, route: Route
) -> Delegation | None:
    """The grant the signer signs under; refused without authority (B.1, art. 7)."""
    grants = await delegations.duties_of(
        session,
        user_id=actor.user_id,
        enterprise_id=permit.enterprise_id,
        permit_type=permit.type,
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


@handler("reject")
async def _reject(session: AsyncSession, actor: Actor, permit: Permit, data: ReasonBody) -> Permit:
    """A rejection at any step ends the round, by someone who may sign that step."""
    route, signers = _route(permit), await _signers(session, permit)
    step = route[min(len(signers), len(route) - 1)]
    used = await _check_signer(session, actor, permit, step.route)
    session.add(_signoff(permit, actor, step.step, "reject", data.reason, False, used))
    return await with_reason(session, actor, permit, "reject", data.reason)


submit = operation("submit")
sign = operation("sign")
reject = operation("reject")
start = operation("start")  # kept here for callers of `actions.start` (handler: actions_work)
