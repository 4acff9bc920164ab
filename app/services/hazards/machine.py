"""The hazard state machine as data (brief §3), run by the shared engine (`workflow.py`):
which action, from which states, to where, the timestamp it stamps, who may take it on this
hazard (the verifier gate), which body fields a major hazard's plan needs, and how the
history, audit and `hazard.<action>` event rows are written.
"""

from __future__ import annotations

from typing import Any

from app.models.hazard import Hazard
from app.models.hazard import HazardStatus as S
from app.models.user import Role
from app.rules.levels import HazardLevel
from app.services.hazards.common import OBJECT_TYPE, add_history
from app.services.hazards.events import hazard_payload
from app.services.policy import Actor
from app.services.policy import Permission as P
from app.services.workflow import Gate, Machine, Requirement, Step

OPEN = frozenset({S.reported, S.rectifying, S.pending_verification})

# Audited before/after values of every transition.
TRACKED = (
    "status",
    "deadline",
    "responsible_person",
    "level",
    "supervised",
    "production_suspended",
)


def is_verifier(actor: Actor, hazard: Hazard) -> bool:
    """Brief §3: major → street office only; general → the side that found it."""
    if hazard.level == HazardLevel.major:
        return actor.is_street_office
    if hazard.found_by_role == Role.enterprise_head:
        return actor.role == Role.enterprise_head
    return actor.role in (Role.grid_staff, Role.street_office)


def _is_major(hazard: Hazard) -> bool:
    return hazard.level == HazardLevel.major


VERIFIER = Gate(
    is_verifier,
    "重大事故隐患只能由街道安委办验收销号；一般隐患由发现方验收",
    "Major hazards are verified by the street office; general ones by the finder's side",
    "not_verifier",
)
EXTENDER = Gate(
    is_verifier,
    "重大事故隐患的延期只能由街道安委办批准；一般隐患由验收方批准",
    "Extensions are granted by whoever verifies the hazard",
    "not_verifier",
)
# 五落实 for major hazards (brief §7): funds, goal, interim measures, emergency plan.
FIVE_IN_PLACE = Requirement(
    ("funds", "goal", "interim_measures", "emergency_plan"),
    _is_major,
    "重大事故隐患整改方案须包含：",
    "A major hazard's plan needs: ",
    "plan_incomplete",
)

TRANSITIONS: dict[str, Step] = {
    # 制定整改方案 → 整改中
    "plan": Step(
        frozenset({S.reported}),
        S.rectifying,
        P.HAZARD_PLAN,
        stamp="planned_at",
        conditional=(FIVE_IN_PLACE,),
    ),
    # 提交整改佐证 → 待验收
    "submit": Step(
        frozenset({S.rectifying}), S.pending_verification, P.HAZARD_SUBMIT, stamp="submitted_at"
    ),
    # 验收：通过 → 已销号；不通过 → 整改中 (the target is decided by the body)
    "verify": Step(frozenset({S.pending_verification}), None, P.HAZARD_VERIFY, gate=VERIFIER),
    # 作废（街道安委办，说明理由）
    "void": Step(frozenset({S.reported, S.rectifying}), S.voided, P.HAZARD_VOID, stamp="voided_at"),
    # 挂牌督办 (brief §7); the status stays
    "supervise": Step(OPEN, None, P.HAZARD_SUPERVISE, stamp="supervised_at"),
    # 延期：一般隐患由验收方批准，重大隐患由街道安委办批准
    "extend": Step(frozenset({S.rectifying}), None, P.HAZARD_EXTEND, gate=EXTENDER),
    # 重大 → 一般（街道安委办，说明理由）
    "downgrade": Step(OPEN, None, P.HAZARD_DETERMINE),
}


async def _event(session: Any, hazard: Any, from_status: str) -> dict[str, Any]:
    return await hazard_payload(session, hazard, **{"from": from_status})


HAZARDS = Machine(
    object_type=OBJECT_TYPE,
    steps=TRANSITIONS,
    write_history=add_history,
    tracked=TRACKED,
    event_payload=_event,
    stale=("隐患已被他人修改，请刷新后重试", "Modified concurrently"),
)


def allowed_actions(status: str) -> list[str]:
    return HAZARDS.allowed(status)


def check_state(action: str, status: str) -> Step:
    """The step for `action`; 409 naming the allowed actions if `status` does not permit it."""
    return HAZARDS.check(action, status)
