"""Who may verify or extend a hazard (brief §3), and the major plan's 五落实 requirement
(brief §7): the gates of the hazard table, without a database (run by `make mutate`)."""

from __future__ import annotations

import uuid

import pytest

from app.core.errors import Forbidden, Unprocessable
from app.models.hazard import Hazard
from app.models.user import Role
from app.services.hazards.machine import TRANSITIONS, is_verifier
from app.services.policy import Actor
from app.services.workflow import _check_required

ROLES = [Role.street_office, Role.grid_staff, Role.enterprise_head]
# (level, found_by_role) → the roles that verify it; written out from the brief.
VERIFIERS = {
    ("major", Role.enterprise_head): {Role.street_office},
    ("major", Role.grid_staff): {Role.street_office},
    ("general", Role.enterprise_head): {Role.enterprise_head},
    ("general", Role.grid_staff): {Role.grid_staff, Role.street_office},
    ("general", Role.street_office): {Role.grid_staff, Role.street_office},
    ("general", None): {Role.grid_staff, Role.street_office},
}


def _actor(role: Role) -> Actor:
    return Actor(user_id=uuid.uuid4(), username=role.value, role=role)


@pytest.mark.parametrize(("level", "found_by"), list(VERIFIERS))
def test_verifier(level: str, found_by: Role | None) -> None:
    hazard = Hazard(level=level, found_by_role=found_by)
    got = {r for r in ROLES if is_verifier(_actor(r), hazard)}
    assert got == VERIFIERS[(level, found_by)]
    for action in ("verify", "extend"):
        gate = TRANSITIONS[action].gate
        assert gate is not None
        assert gate.code == "not_verifier"
        assert {r for r in ROLES if gate.allows(_actor(r), hazard)} == got
    assert TRANSITIONS["plan"].gate is None


def test_gate_messages() -> None:
    verify, extend = TRANSITIONS["verify"].gate, TRANSITIONS["extend"].gate
    assert verify is not None
    assert extend is not None
    assert verify.zh == "重大事故隐患只能由街道安委办验收销号；一般隐患由发现方验收"
    assert extend.zh == "重大事故隐患的延期只能由街道安委办批准；一般隐患由验收方批准"
    assert Forbidden(verify.zh, verify.en, code=verify.code).status == 403


def test_major_plan_needs_five_in_place() -> None:
    (req,) = TRANSITIONS["plan"].conditional
    assert req.fields == ("funds", "goal", "interim_measures", "emergency_plan")
    assert req.applies(Hazard(level="major"))
    assert not req.applies(Hazard(level="general"))
    with pytest.raises(Unprocessable) as err:
        _check_required(req.fields, {"funds": 1, "goal": ""}, req.zh, req.en, req.code)
    assert err.value.code == "plan_incomplete"
    assert (
        err.value.detail_zh == "重大事故隐患整改方案须包含：goal、interim_measures、emergency_plan"
    )
    assert (
        err.value.detail_en == "A major hazard's plan needs: goal, interim_measures, emergency_plan"
    )
    assert [e["loc"] for e in err.value.extra["errors"]] == [
        ["body", "goal"],
        ["body", "interim_measures"],
        ["body", "emergency_plan"],
    ]
