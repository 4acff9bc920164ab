"""The transition table itself, without a database (fast: `make mutate` runs it per mutant).

Expected values are the brief's lifecycle (§3), the same table the API test walks
(tests/api/test_hazard_transition_table.py), written there once.
"""

from __future__ import annotations

import pytest

from app.core.errors import Conflict
from app.services.hazards.machine import OPEN, TRANSITIONS, allowed_actions, check_state
from tests.api.test_hazard_transition_table import ACTIONS, ALLOWED, STATES

# Where each action leads (None: decided by the action's body, or the status stays) and the
# timestamp it stamps.
TARGETS = {
    "plan": ("rectifying", "planned_at"),
    "submit": ("pending_verification", "submitted_at"),
    "verify": (None, None),
    "void": ("voided", "voided_at"),
    "supervise": (None, "supervised_at"),
    "extend": (None, None),
    "downgrade": (None, None),
}
PERMISSIONS = {
    "plan": "hazard:plan",
    "submit": "hazard:submit",
    "verify": "hazard:verify",
    "void": "hazard:void",
    "supervise": "hazard:supervise",
    "extend": "hazard:extend",
    "downgrade": "hazard:determine",
}


@pytest.mark.parametrize("state", STATES)
def test_allowed_actions(state: str) -> None:
    assert sorted(allowed_actions(state)) == sorted(ALLOWED[state])
    assert len(allowed_actions(state)) == len(set(allowed_actions(state)))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_check_state(state: str, action: str) -> None:
    if action in ALLOWED[state]:
        rule = check_state(action, state)
        assert (rule.target, rule.stamp) == TARGETS[action]
        assert rule.permission == PERMISSIONS[action]
        return
    with pytest.raises(Conflict) as err:
        check_state(action, state)
    problem = err.value
    assert (problem.status, problem.code) == (409, "invalid_transition")
    assert problem.extra["current_status"] == state
    assert sorted(problem.extra["allowed_actions"]) == sorted(ALLOWED[state])
    zh, en = "、".join(allowed_actions(state)) or "无", ", ".join(allowed_actions(state)) or "none"
    assert problem.detail_zh == f"当前状态（{state}）不能执行 {action}；可执行：{zh}"
    assert problem.detail_en == f"Cannot {action} from {state}; allowed: {en}"


def test_open_states_and_table_keys() -> None:
    assert set(OPEN) == {"reported", "rectifying", "pending_verification"}
    assert list(TRANSITIONS) == list(ACTIONS)
