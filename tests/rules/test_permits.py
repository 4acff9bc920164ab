"""Permit rules as tables (issue 15): grading, validity, gas judgement, approval routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.rules.permits import RuleViolation
from app.rules.permits.approval import approval_route, check_approver
from app.rules.permits.gas import Reading, judge_reading, judge_test
from app.rules.permits.grading import apply_override, height_grade, hot_work_grade, validity_end
from app.rules.permits.kinds import HeightFactor as F
from app.rules.permits.kinds import HeightSituation as S
from app.rules.permits.settings import DEFAULT_RULES, PermitRules

RULES = DEFAULT_RULES
NO_AUTHORITY = "approver_without_authority"
NOT_PRINCIPAL = "approver_not_principal"


@pytest.mark.parametrize(
    ("area", "running", "dyke", "rack", "night", "expected"),
    [
        (True, True, False, False, False, "special"),  # 5.1.2 running equipment in the area
        (False, False, True, False, False, "special"),  # 5.1.2 inside a major-hazard dyke
        (True, False, False, False, False, "level1"),  # 5.1.3 other work in the area
        (False, False, False, True, False, "level1"),  # 5.1.3 pipe rack
        (False, True, False, False, False, "level2"),  # running equipment outside any area
        (False, False, False, False, False, "level2"),  # 5.1.4 everything else
        (False, False, False, False, True, "level1"),  # 5.1.1 night: upgraded one grade
        (True, False, False, False, True, "special"),
        (True, True, False, False, True, "special"),  # already the top grade
    ],
)
def test_hot_work_grade(
    area: bool, running: bool, dyke: bool, rack: bool, night: bool, expected: str
) -> None:
    grade = hot_work_grade(
        fire_explosion_area=area,
        running_equipment=running,
        major_hazard_dyke=dyke,
        pipe_rack=rack,
        holiday_or_night=night,
        rules=RULES,
    )
    assert grade.value == expected


def test_hot_work_upgrade_steps_are_a_setting() -> None:
    rules = PermitRules(hot_work_upgrade_steps=2)
    grade = hot_work_grade(
        fire_explosion_area=False,
        running_equipment=False,
        major_hazard_dyke=False,
        pipe_rack=False,
        holiday_or_night=True,
        rules=rules,
    )
    assert grade.value == "special"


@pytest.mark.parametrize(
    ("height", "factors", "situations", "expected"),
    [
        (2.0, [], [], "I"),
        (5.0, [], [], "I"),
        (5.01, [], [], "II"),
        (15.0, [], [], "II"),
        (18.0, [], [], "III"),  # the S3 exam: 18 m → Ⅲ
        (18.0, [F.wind_force_5], [], "IV"),  # … → Ⅳ with a hazard factor
        (30.0, [], [], "III"),
        (30.5, [], [], "IV"),
        (3.0, [F.cold_air], [], "II"),
        (40.0, [F.poor_light, F.slippery], [], "IV"),
        (3.0, [], [S.near_opening], "II"),
        (3.0, [], [S.night], "IV"),
        (20.0, [], [S.slope_over_45], "III"),  # a floor never lowers
    ],
)
def test_height_grade(height: float, factors: list[F], situations: list[S], expected: str) -> None:
    assert height_grade(height_m=height, factors=factors, situations=situations).value == expected


def test_below_two_metres_is_not_work_at_height() -> None:
    with pytest.raises(RuleViolation) as err:
        height_grade(height_m=1.9, factors=[], situations=[])
    assert err.value.code == "height_below_2m"


@pytest.mark.parametrize(
    ("ptype", "computed", "override", "reason", "result"),
    [
        ("hot_work", "level2", None, None, "level2"),
        ("hot_work", "level2", "level2", None, "level2"),
        ("hot_work", "level2", "level1", "风大", "level1"),
        ("hot_work", "level1", "level2", "已清洗置换", "grade_override_lower"),
        ("hot_work", "level2", "special", None, "grade_override_reason"),
        ("hot_work", "level2", "level3", "x", "grade_override_invalid"),
        ("work_at_height", "II", "IV", "夜间", "IV"),
        ("work_at_height", "III", "I", "x", "grade_override_lower"),
        ("confined_space", None, "I", "x", "grade_override_invalid"),
    ],
)
def test_override_only_raises(
    ptype: str, computed: str | None, override: str | None, reason: str | None, result: str
) -> None:
    if result.startswith("grade_"):
        with pytest.raises(RuleViolation) as err:
            apply_override(ptype, computed, override, reason)
        assert err.value.code == result
    else:
        assert apply_override(ptype, computed, override, reason) == result


T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("ptype", "grade", "planned_hours", "expected_hours"),
    [
        ("hot_work", "special", 24, 8),
        ("hot_work", "level1", 24, 8),
        ("hot_work", "level2", 100, 72),
        ("hot_work", "level2", 5, 5),
        ("confined_space", None, 48, 24),
        ("work_at_height", "IV", 24 * 10, 24 * 7),
        ("work_at_height", "I", 3, 3),
    ],
)
def test_validity_caps(
    ptype: str, grade: str | None, planned_hours: int, expected_hours: int
) -> None:
    end = validity_end(
        permit_type=ptype,
        grade=grade,
        valid_from=T0,
        planned_end=T0 + timedelta(hours=planned_hours),
        rules=RULES,
    )
    assert end == T0 + timedelta(hours=expected_hours)


def test_validity_window_must_not_be_empty() -> None:
    with pytest.raises(RuleViolation):
        validity_end(
            permit_type="hot_work", grade="level2", valid_from=T0, planned_end=T0, rules=RULES
        )


@pytest.mark.parametrize(
    ("gas", "value", "unit", "ptype", "passed", "rule"),
    [
        ("O2", 19.5, "vol_pct", "confined_space", True, "oxygen"),
        ("O2", 21.0, "vol_pct", "confined_space", True, "oxygen"),
        ("O2", 19.4, "vol_pct", "confined_space", False, "oxygen"),
        ("O2", 21.1, "vol_pct", "confined_space", False, "oxygen"),
        ("O2", 23.0, "vol_pct", "hot_work", True, "oxygen"),  # 5.2.7: only ≤23.5 judged
        ("O2", 23.6, "vol_pct", "hot_work", False, "oxygen"),
        ("CH4", 0.5, "vol_pct", "hot_work", True, "flammable_lel_ge_4"),
        ("CH4", 0.51, "vol_pct", "hot_work", False, "flammable_lel_ge_4"),
        ("CH4", 10.0, "lel_pct", "hot_work", True, "flammable_lel_ge_4"),  # = 0.5 % v/v
        ("CH4", 11.0, "lel_pct", "hot_work", False, "flammable_lel_ge_4"),  # = 0.55 % v/v
        ("CH4", 5000, "ppm", "hot_work", True, "flammable_lel_ge_4"),
        ("CH4", 5001, "ppm", "hot_work", False, "flammable_lel_ge_4"),
        ("C3H8", 0.2, "vol_pct", "hot_work", True, "flammable_lel_lt_4"),
        ("C3H8", 0.3, "vol_pct", "hot_work", False, "flammable_lel_lt_4"),  # passes 0.5 % rule
        ("C3H8", 10.0, "lel_pct", "hot_work", False, "flammable_lel_lt_4"),  # 0.21 % v/v
        ("C2H2", 0.2, "vol_pct", "hot_work", True, "flammable_lel_lt_4"),
    ],
)
def test_single_judgements(
    gas: str, value: float, unit: str, ptype: str, passed: bool, rule: str
) -> None:
    judgements = judge_reading(Reading(gas, value, unit), ptype, RULES)
    first = judgements[0]
    assert (first.passed, first.rule) == (passed, rule)
    assert first.citation.startswith("GB 30871-2022")


@pytest.mark.parametrize(
    ("value", "unit", "passed"),
    [
        (10.0, "mg_m3", True),  # H2S MAC 10 mg/m³
        (10.5, "mg_m3", False),
        (7.0, "ppm", True),  # 7 ppm ≈ 9.76 mg/m³
        (8.0, "ppm", False),  # ≈ 11.15 mg/m³
    ],
)
def test_h2s_is_judged_as_toxic_and_flammable(value: float, unit: str, passed: bool) -> None:
    judgements = judge_reading(Reading("H2S", value, unit), "confined_space", RULES)
    assert [j.rule for j in judgements] == ["flammable_lel_ge_4", "toxic"]
    assert judgements[1].passed is passed


@pytest.mark.parametrize(
    ("gas", "unit", "code"),
    [
        ("XYZ", "vol_pct", "gas_unknown"),
        ("CH4", "furlongs", "gas_unit_invalid"),
        ("O2", "ppm", "gas_unit_invalid"),
        ("CO2", "lel_pct", "gas_unit_invalid"),  # not flammable: no LEL to convert with
    ],
)
def test_unjudgeable_readings_are_refused(gas: str, unit: str, code: str) -> None:
    with pytest.raises(RuleViolation) as err:
        judge_reading(Reading(gas, 1.0, unit), "confined_space", RULES)
    assert (err.value.code, err.value.kind) == (code, "invalid")


def test_confined_test_needs_oxygen_and_passes_only_if_all_pass() -> None:
    with pytest.raises(RuleViolation):
        judge_test([Reading("CH4", 0.1, "vol_pct")], "confined_space", RULES)
    ok, _ = judge_test(
        [Reading("O2", 20.9, "vol_pct"), Reading("H2S", 1, "ppm")], "confined_space", RULES
    )
    assert ok
    bad, js = judge_test(
        [Reading("O2", 18.0, "vol_pct"), Reading("H2S", 1, "ppm")], "confined_space", RULES
    )
    assert not bad
    assert [j.passed for j in js] == [False, True, True]


@pytest.mark.parametrize(
    ("ptype", "grade", "poison", "approvers", "principal_only"),
    [
        ("hot_work", "special", False, ("principal",), False),
        ("hot_work", "level1", False, ("safety_manager",), False),
        ("hot_work", "level2", False, ("dept_head",), False),
        ("confined_space", None, False, ("dept_head",), False),
        ("confined_space", None, True, ("principal",), True),  # 13号令 art. 7
        ("work_at_height", "I", False, ("dept_head",), False),
        ("work_at_height", "III", False, ("dept_head",), False),
        ("work_at_height", "IV", False, ("chief_engineer",), False),
    ],
)
def test_approval_matrix(
    ptype: str, grade: str | None, poison: bool, approvers: tuple[str, ...], principal_only: bool
) -> None:
    route = approval_route(permit_type=ptype, grade=grade, poisoning_risk=poison, rules=RULES)
    assert (route.approvers, route.principal_only) == (approvers, principal_only)


@pytest.mark.parametrize(
    ("ptype", "grade", "poison", "duties", "delegate", "applicant", "error"),
    [
        ("hot_work", "level2", False, ["dept_head"], False, False, None),
        ("hot_work", "level2", False, ["principal"], False, False, None),  # higher may sign
        ("hot_work", "level1", False, ["dept_head"], False, False, NO_AUTHORITY),
        ("hot_work", "special", False, ["safety_manager"], False, False, NO_AUTHORITY),
        ("hot_work", "level2", False, ["dept_head"], False, True, "approver_is_applicant"),
        ("confined_space", None, True, ["safety_manager"], False, False, NOT_PRINCIPAL),
        ("confined_space", None, True, ["safety_manager"], True, False, None),  # written delegate
        ("confined_space", None, True, ["principal"], False, False, None),
        ("confined_space", None, False, ["dept_head"], False, False, None),
        ("work_at_height", "IV", False, ["safety_manager"], False, False, NO_AUTHORITY),
    ],
)
def test_check_approver(
    ptype: str,
    grade: str | None,
    poison: bool,
    duties: list[str],
    delegate: bool,
    applicant: bool,
    error: str | None,
) -> None:
    route = approval_route(permit_type=ptype, grade=grade, poisoning_risk=poison, rules=RULES)
    if error is None:
        check_approver(
            route, duties=duties, written_delegate=delegate, signer_is_applicant=applicant
        )
        return
    with pytest.raises(RuleViolation) as err:
        check_approver(
            route, duties=duties, written_delegate=delegate, signer_is_applicant=applicant
        )
    assert err.value.code == error
