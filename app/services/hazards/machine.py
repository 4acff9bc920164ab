"""The hazard state machine as data (brief §3): which action, from which states, to where.

Role rules that depend on the hazard itself (who verifies, who extends) are in
`transitions.py`; this table holds what does not.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.core.errors import Conflict
from app.models.hazard import HazardStatus as S
from app.services.policy import Permission as P

OPEN = frozenset({S.reported, S.rectifying, S.pending_verification})


@dataclass(frozen=True)
class Rule:
    sources: frozenset[S]
    permission: P
    # None: decided by the action (verify passes or fails) or the status stays.
    target: S | None
    # Timestamp field set when the target state is reached.
    stamp: str | None = None


TRANSITIONS: dict[str, Rule] = {
    # 制定整改方案 → 整改中
    "plan": Rule(frozenset({S.reported}), P.HAZARD_PLAN, S.rectifying, "planned_at"),
    # 提交整改佐证 → 待验收
    "submit": Rule(
        frozenset({S.rectifying}), P.HAZARD_SUBMIT, S.pending_verification, "submitted_at"
    ),
    # 验收：通过 → 已销号；不通过 → 整改中
    "verify": Rule(frozenset({S.pending_verification}), P.HAZARD_VERIFY, None),
    # 作废（街道安委办，说明理由）
    "void": Rule(frozenset({S.reported, S.rectifying}), P.HAZARD_VOID, S.voided, "voided_at"),
    # 挂牌督办 (brief §7)
    "supervise": Rule(OPEN, P.HAZARD_SUPERVISE, None, "supervised_at"),
    # 延期：一般隐患由验收方批准，重大隐患由街道安委办批准
    "extend": Rule(frozenset({S.rectifying}), P.HAZARD_EXTEND, None),
    # 重大 → 一般（街道安委办，说明理由）
    "downgrade": Rule(OPEN, P.HAZARD_DETERMINE, None),
}


def allowed_actions(status: str) -> list[str]:
    return [a for a, rule in TRANSITIONS.items() if status in rule.sources]


def check_state(action: str, status: str) -> Rule:
    """The rule for `action`; 409 naming the allowed actions if `status` does not permit it."""
    rule = TRANSITIONS[action]
    if status not in rule.sources:
        allowed = allowed_actions(status)
        raise Conflict(
            f"当前状态（{status}）不能执行 {action}；可执行：{'、'.join(allowed) or '无'}",
            f"Cannot {action} from {status}; allowed: {', '.join(allowed) or 'none'}",
            code="invalid_transition",
            extra={"current_status": status, "allowed_actions": allowed},
        )
    return rule
