"""The permit lifecycle as a table (permits.md §7), run by the shared transition engine."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.models.permit import Permit, PermitHistory
from app.models.permit import PermitStatus as S
from app.models.user import Role
from app.services import audit
from app.services.policy import Actor
from app.services.policy import Permission as P
from app.services.workflow import Machine, Step, next_seq

OBJECT_TYPE = "permit"
HEAD = frozenset({Role.enterprise_head})
HEAD_OR_OFFICE = frozenset({Role.enterprise_head, Role.street_office})
PRE_START = frozenset({S.draft, S.submitted, S.approved})
WORKING = frozenset({S.active, S.suspended})


async def write_history(
    session: AsyncSession,
    permit: Any,
    *,
    actor: Actor | None,
    action: str,
    from_status: str | None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
) -> PermitHistory:
    """Append a history row; `seq` follows the last one (the permit row is locked)."""
    row = PermitHistory(
        permit_id=permit.id,
        seq=next_seq(PermitHistory.seq, PermitHistory.permit_id, permit.id),
        action=action,
        from_status=from_status,
        to_status=permit.status,
        actor_id=actor.user_id if actor else None,
        actor_role=actor.role.value if actor else None,
        note=note,
        data=audit.jsonable(data or {}),
    )
    session.add(row)
    return row


STEPS: dict[str, Step] = {
    # 提交审批 (申请人)
    "submit": Step(
        frozenset({S.draft, S.rejected}),
        S.submitted,
        P.PERMIT_WRITE,
        HEAD_OR_OFFICE,
        "submitted_at",
    ),
    # 审批签字 (GB 30871 B.1 + 13号令 第七条); the last required signature approves
    # target None: the handler approves only when the last step is signed (approved_at too)
    "sign": Step(frozenset({S.submitted}), None, P.PERMIT_WRITE, HEAD),
    "reject": Step(
        frozenset({S.submitted}), S.rejected, P.PERMIT_WRITE, HEAD, "ended_at", ("reason",)
    ),
    # 开始作业: guards in guards.py (validity, guardian, gas test, ventilation, certificates)
    "start": Step(frozenset({S.approved}), S.active, P.PERMIT_WRITE, HEAD, "started_at"),
    "suspend": Step(
        frozenset({S.active}),
        S.suspended,
        P.PERMIT_WRITE,
        HEAD_OR_OFFICE,
        "suspended_at",
        ("reason",),
    ),
    "resume": Step(frozenset({S.suspended}), S.active, P.PERMIT_WRITE, HEAD),
    # 收回作业票 (监护人 GB 4.10e/f, 企业安全管理, 街道)
    "revoke": Step(WORKING, S.revoked, P.PERMIT_WRITE, HEAD_OR_OFFICE, "ended_at", ("reason",)),
    "complete": Step(frozenset({S.active}), S.completed, P.PERMIT_WRITE, HEAD, "completed_at"),
    # 完工验收 (GB 30871 4.15)
    "accept": Step(frozenset({S.completed}), S.closed, P.PERMIT_WRITE, HEAD, "closed_at"),
    "cancel": Step(PRE_START, S.cancelled, P.PERMIT_WRITE, HEAD_OR_OFFICE, "ended_at", ("reason",)),
    # 责令暂停作业 / 审查同意后恢复 (13号令 第十八条)
    "order_stop": Step(WORKING, S.suspended, P.PERMIT_SUPERVISE, None, "suspended_at", ("reason",)),
    "consent": Step(frozenset({S.suspended}), None, P.PERMIT_SUPERVISE),
    # 过期 (GB 30871 4.16: no 延期 past the cap; continuing needs a new permit)
    "expire": Step(
        frozenset({S.approved, S.active, S.suspended}),
        S.expired,
        P.PERMIT_WRITE,
        HEAD_OR_OFFICE,
        "ended_at",
    ),
}

PERMITS = Machine(
    object_type=OBJECT_TYPE,
    steps=STEPS,
    write_history=write_history,
    tracked=("status", "requires_review", "status_reason"),
)


def allowed_actions(permit: Permit) -> list[str]:
    return PERMITS.allowed(permit.status)
