"""Permit rules as tables (issue 15, part 2): the B.1 sign-off route and its order, the wind
stop, when resuming needs a new gas test, the measure catalogues."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.rules.permits import RuleViolation
from app.rules.permits.approval import next_step, signoff_route
from app.rules.permits.hotwork import check_wind, retest_reason, watch_role
from app.rules.permits.measures import catalogue_item, missing_measures
from app.rules.permits.settings import DEFAULT_RULES, PermitRules

RULES = DEFAULT_RULES
M = timedelta(minutes=1)
TODAY = date(2026, 12, 1)
YESTERDAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("ptype", "grade", "poison", "expected"),
    [
        (
            "hot_work",
            "special",
            False,
            [
                ("unit_opinion", ["dept_head"]),
                ("safety_dept_opinion", ["safety_manager"]),
                ("approval", ["principal"]),  # B.1 特级 → 主管领导
            ],
        ),
        (
            "hot_work",
            "level1",
            False,
            [("unit_opinion", ["dept_head"]), ("approval", ["safety_manager"])],
        ),
        ("hot_work", "level2", False, [("approval", ["dept_head"])]),
        ("confined_space", None, False, [("approval", ["dept_head"])]),
        ("confined_space", None, True, [("approval", ["principal"])]),  # 13号令 第七条
        ("work_at_height", "I", False, [("approval", ["dept_head"])]),
        ("work_at_height", "III", False, [("approval", ["dept_head"])]),
        (
            "work_at_height",
            "IV",
            False,
            [
                ("unit_opinion", ["dept_head"]),
                ("audit_dept_opinion", ["safety_manager"]),
                ("approval", ["chief_engineer"]),
            ],
        ),
    ],
)
def test_signoff_route(
    ptype: str, grade: str | None, poison: bool, expected: list[tuple[str, list[str]]]
) -> None:
    route = signoff_route(permit_type=ptype, grade=grade, poisoning_risk=poison, rules=RULES)
    assert [(s.step, list(s.route.approvers)) for s in route] == expected
    assert route[-1].route.principal_only is poison


def test_overlay_keeps_the_opinions_before_the_principal() -> None:
    rules = PermitRules(approvers={("hot_work", "special"): ("principal",)})  # type: ignore[dict-item]
    route = signoff_route(permit_type="hot_work", grade="special", poisoning_risk=True, rules=rules)
    # Poisoning risk is a confined-space overlay: hot work keeps its GB route.
    assert [s.step for s in route] == ["unit_opinion", "safety_dept_opinion", "approval"]
    assert route[-1].route.principal_only is False


SPECIAL = signoff_route(permit_type="hot_work", grade="special", poisoning_risk=False, rules=RULES)


@pytest.mark.parametrize(
    ("signers", "signer", "wanted", "result"),
    [
        ([], "a", None, "unit_opinion"),
        (["a"], "b", None, "safety_dept_opinion"),
        (["a", "b"], "c", "approval", "approval"),
        (["a"], "a", None, "signer_not_distinct"),  # one person, one step
        (["a", "b"], "a", None, "signer_not_distinct"),
        ([], "app", None, "approver_is_applicant"),
        ([], "a", "approval", "signoff_out_of_order"),  # steps go in order
        (["a", "b", "c"], "d", None, "signoff_complete"),
    ],
)
def test_next_step(signers: list[str], signer: str, wanted: str | None, result: str) -> None:
    kw = {"signers": signers, "signer": signer, "applicant": "app", "wanted": wanted}
    if result in {"unit_opinion", "safety_dept_opinion", "approval"}:
        assert next_step(SPECIAL, **kw).step == result  # type: ignore[arg-type]
        return
    with pytest.raises(RuleViolation) as exc:
        next_step(SPECIAL, **kw)  # type: ignore[arg-type]
    assert exc.value.code == result


@pytest.mark.parametrize(
    ("ptype", "outdoor", "force", "refused", "citation"),
    [
        ("hot_work", True, 5, True, "GB 30871-2022 5.2.15"),
        ("hot_work", True, 4, False, None),
        ("hot_work", False, 7, False, None),  # indoor hot work: no wind stop
        ("work_at_height", False, 5, True, "GB 30871-2022 8.2.6"),
        ("work_at_height", True, 6, True, "GB 30871-2022 8.2.6"),
        ("work_at_height", True, None, False, None),
        ("confined_space", True, 9, False, None),
    ],
)
def test_wind_stop(
    ptype: str, outdoor: bool, force: int | None, refused: bool, citation: str | None
) -> None:
    if not refused:
        check_wind(permit_type=ptype, outdoor=outdoor, force=force, rules=RULES)
        return
    with pytest.raises(RuleViolation) as exc:
        check_wind(permit_type=ptype, outdoor=outdoor, force=force, rules=RULES)
    assert (exc.value.code, exc.value.citation) == ("wind_stop", citation)


def test_wind_stop_force_is_a_setting() -> None:
    check_wind(
        permit_type="work_at_height", outdoor=True, force=5, rules=PermitRules(wind_stop_force=6)
    )


@pytest.mark.parametrize(
    ("ptype", "grade", "gap", "last_day", "expected"),
    [
        ("hot_work", "special", 30 * M, TODAY, None),  # GB 5.3.1d: > 30 min
        ("hot_work", "special", 31 * M, TODAY, "interruption"),
        ("hot_work", "level1", 31 * M, TODAY, "interruption"),
        ("hot_work", "level2", 45 * M, TODAY, None),  # 二级: > 60 min
        ("hot_work", "level2", 61 * M, TODAY, "interruption"),
        ("hot_work", "level2", 5 * M, YESTERDAY, "new_day"),  # 每日动火前分析
        ("hot_work", "level2", None, YESTERDAY, "new_day"),
        ("hot_work", "level2", None, None, "new_day"),
        ("confined_space", None, 1 * M, TODAY, "interruption"),  # 13号令 art. 15: any gap
        ("confined_space", None, None, YESTERDAY, None),
        ("work_at_height", "IV", 600 * M, YESTERDAY, None),
    ],
)
def test_retest_reason(
    ptype: str, grade: str | None, gap: timedelta | None, last_day: date | None, expected: str
) -> None:
    got = retest_reason(
        permit_type=ptype, grade=grade, gap=gap, last_test_day=last_day, today=TODAY, rules=RULES
    )
    assert got == expected


def test_daily_test_is_a_setting() -> None:
    rules = PermitRules(hot_work_daily_test=False)
    got = retest_reason(
        permit_type="hot_work",
        grade="level2",
        gap=None,
        last_test_day=YESTERDAY,
        today=TODAY,
        rules=rules,
    )
    assert got is None


def test_watch_roles() -> None:
    assert watch_role("hot_work") == "fire_watch"
    assert watch_role("confined_space") == "guardian"
    assert watch_role("work_at_height") == "guardian"


def test_catalogue_items_carry_citations_and_unknown_codes_are_refused() -> None:
    item = catalogue_item("hot_work", "H-5.2.14")
    assert item.citation == "GB 30871-2022 5.2.14"
    assert "残留火种" in item.text
    with pytest.raises(RuleViolation) as exc:
        catalogue_item("hot_work", "C-6.2")  # a confined-space measure on a hot-work permit
    assert (exc.value.code, exc.value.kind) == ("measure_unknown", "invalid")


def test_missing_measures() -> None:
    answered: dict[str, tuple[bool, str | None]] = {
        "W-4.4": (True, "王五"),
        "W-4.9": (False, None),  # optional: "not involved" is an answer
        "W-8.2.2": (True, None),  # mandatory but nobody confirmed it
        "W-8.2.6": (False, "王五"),  # mandatory but answered "not involved"
    }
    assert missing_measures("work_at_height", answered) == ["W-8.2.2", "W-8.2.6", "W-8.2.8"]
    full = answered | {
        "W-8.2.2": (True, "王五"),
        "W-8.2.6": (True, "王五"),
        "W-8.2.8": (False, None),
    }
    assert missing_measures("work_at_height", full) == []
