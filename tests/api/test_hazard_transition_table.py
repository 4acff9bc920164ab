"""Every (state, action, role) of the hazard lifecycle through the HTTP API (brief §3, §1).

The expected table is written here from the brief, not imported from the state machine: a
transition allowed from one state too many (verify from `rectifying`, void from
`pending_verification`) answers 200 where this table says 409 and fails the test.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.rules.calendar import today_in_shanghai
from tests.api.hazard_helpers import API, PLAN_MAJOR, act, major, new_hazard, tomorrow
from tests.conftest import World, assert_problem

ACTIONS = ("plan", "submit", "verify", "void", "supervise", "extend", "downgrade")
STATES = ("reported", "rectifying", "pending_verification", "closed", "voided")
# head1 (E1), grid1 (G1) see the hazard; head2 and grid2 do not; dashboard reads no hazard.
ROLES = ("office", "head1", "grid1", "head2", "grid2", "dashboard")

# Brief §3: what each state allows, whoever asks (the 409 names exactly these).
ALLOWED = {
    "reported": {"plan", "void", "supervise", "downgrade"},
    "rectifying": {"submit", "void", "supervise", "extend", "downgrade"},
    "pending_verification": {"verify", "supervise", "downgrade"},
    "closed": set(),
    "voided": set(),
}
# Brief §1: void, 挂牌督办 and downgrading are the street office's; field work is shared.
FIELD_WORK = {"plan", "submit", "verify", "extend"}
PERMITTED = {
    "office": set(ACTIONS),
    "head1": FIELD_WORK,
    "grid1": FIELD_WORK,
    "head2": FIELD_WORK,
    "grid2": FIELD_WORK,
    "dashboard": set(),
}
# Brief §3 "who verifies" (and so who extends): major → street office; general → the finder's
# side. general_grid was found by grid1, general_self by head1, major by the office.
VERIFIERS = {
    "general_grid": {"office", "grid1"},
    "general_self": {"head1"},
    "major": {"office"},
}
# Where a successful action leaves the hazard (None: the status stays).
TARGET = {
    "plan": "rectifying",
    "submit": "pending_verification",
    "verify": "closed",
    "void": "voided",
    "supervise": None,
    "extend": None,
    "downgrade": None,
}
LATER = (today_in_shanghai() + timedelta(days=30)).isoformat()


def body_for(action: str) -> dict[str, Any]:
    return {
        "plan": {**PLAN_MAJOR, "deadline": tomorrow()},
        "submit": {"evidence": "已整改"},
        "verify": {"passed": True, "note": "合格"},
        "void": {"reason": "重复登记"},
        "supervise": {"unit": "区应急管理局", "due": tomorrow()},
        "extend": {"new_deadline": LATER, "reason": "设备到货延迟"},
        "downgrade": {"reason": "复核不属于重大事故隐患"},
    }[action]


def expected(kind: str, state: str, action: str, role: str) -> tuple[int, str | None]:
    """(status, problem code) the brief promises; (200, None) for a transition that happens."""
    if action not in PERMITTED[role]:
        return 403, None
    if role in ("head2", "grid2"):
        return 404, None  # E1's hazard is outside their scope
    if action not in ALLOWED[state]:
        return 409, "invalid_transition"
    if action in ("verify", "extend") and role not in VERIFIERS[kind]:
        return 403, "not_verifier"
    if action in ("supervise", "downgrade") and kind != "major":
        return 409, "not_major"
    return 200, None


async def hazard_in(client: httpx.AsyncClient, world: World, kind: str, state: str) -> str:
    """A hazard of E1 of `kind`, brought to `state` through the API."""
    if kind == "major":
        h = await major(client, world)
    else:
        h = await new_hazard(client, world, "grid1" if kind == "general_grid" else "head1")
    hid = str(h["id"])
    verifier = {"general_grid": "grid1", "general_self": "head1", "major": "office"}[kind]
    steps = {
        "reported": [],
        "rectifying": [("head1", "plan")],
        "pending_verification": [("head1", "plan"), ("head1", "submit")],
        "closed": [("head1", "plan"), ("head1", "submit"), (verifier, "verify")],
        "voided": [("office", "void")],
    }[state]
    for who, action in steps:
        resp = await act(client, world, who, hid, action, body_for(action))
        assert resp.status_code == 200, resp.text
    return hid


async def _read(client: httpx.AsyncClient, world: World, hid: str) -> dict[str, Any]:
    resp = await client.get(f"{API}/{hid}", headers=world.headers("office"))
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


def _check_success(kind: str, state: str, action: str, body: dict[str, Any]) -> None:
    status = TARGET[action] or state
    assert body["status"] == status
    assert sorted(body["allowed_actions"]) == sorted(ALLOWED[status])
    if action == "supervise":
        assert (body["supervised"], body["supervise_unit"]) == (True, "区应急管理局")
    if action == "extend":
        assert body["deadline"] == LATER
    if action == "downgrade":
        assert body["level"] == "general"
    if action == "void":
        assert body["void_reason"] == "重复登记"
    if action != "downgrade":
        assert body["level"] == ("major" if kind == "major" else "general")


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("kind", ["general_grid", "general_self", "major"])
async def test_every_action_by_every_role(
    client: httpx.AsyncClient, world: World, kind: str, state: str
) -> None:
    hid = await hazard_in(client, world, kind, state)
    before = await _read(client, world, hid)
    assert before["status"] == state
    succeeding = []
    for action in ACTIONS:
        for role in ROLES:
            status, code = expected(kind, state, action, role)
            if status == 200:
                succeeding.append((action, role))
                continue
            resp = await act(client, world, role, hid, action, body_for(action))
            where = f"{role} {action} on {kind} {state}: {resp.text}"
            assert resp.status_code == status, where
            prob = assert_problem(resp, status, code)
            if code == "invalid_transition":
                assert prob["current_status"] == state, where
                assert sorted(prob["allowed_actions"]) == sorted(ALLOWED[state]), where  # type: ignore[arg-type]
    # Nothing refused changed the hazard.
    assert await _read(client, world, hid) == before
    for action, role in succeeding:
        fresh = await hazard_in(client, world, kind, state)
        resp = await act(client, world, role, fresh, action, body_for(action))
        assert resp.status_code == 200, f"{role} {action} on {kind} {state}: {resp.text}"
        _check_success(kind, state, action, resp.json())
        history = await client.get(f"{API}/{fresh}/history", headers=world.headers("office"))
        last = history.json()["items"][-1]
        after = TARGET[action] or state
        assert (last["action"], last["from_status"], last["to_status"]) == (action, state, after)
