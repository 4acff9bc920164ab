"""The plan's compliance rules as pure functions (brief §7; 实施方案 三(三)–三(六)): periods
judged by the evaluation date, and a few checks on hand-made facts. The API tests
(tests/api/test_compliance.py) cover the checks on gathered records."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from app.rules.compliance import Facts, evaluation_date, period_counts, period_name
from app.rules.compliance_checks import drill_check, hazard_checks, quiz_check


@dataclass
class Rules:
    half_yearly_drill_features: tuple[str, ...] = ("factory_in_factory",)
    drills_per_year: int = 1
    drills_per_year_factory_in_factory: int = 2
    principal_checks_per_year: int = 4
    principal_checks_per_year_metal_smelting: int = 12
    certificate_warning_days: int = 60


@dataclass
class Ent:
    features: list[str]
    principal_name: str | None = None
    standardization_grade: int | None = None
    standardization_certified_on: date | None = None
    standardization_expires_on: date | None = None
    standardization_required: bool = False


def test_evaluation_date() -> None:
    assert evaluation_date(2024, date(2025, 6, 1)) == (date(2024, 12, 31), False)
    assert evaluation_date(2025, date(2025, 6, 1)) == (date(2025, 6, 1), True)


def test_period_names() -> None:
    assert period_name(2025, 1, 0) == "2025年"
    assert period_name(2025, 2, 1) == "2025年下半年"
    assert period_name(2025, 4, 2) == "2025年第三季度"
    assert period_name(2025, 12, 10) == "2025年11月"


def test_only_begun_periods_count() -> None:
    months = {1: 1, 3: 2, 4: 1}
    assert period_counts(months, 2025, 4, date(2025, 3, 31)) == [("2025年第一季度", 3)]
    assert period_counts(months, 2025, 4, date(2025, 4, 1)) == [
        ("2025年第一季度", 3),
        ("2025年第二季度", 1),
    ]
    assert period_counts(months, 2025, 2, date(2025, 12, 31)) == [
        ("2025年上半年", 4),
        ("2025年下半年", 0),
    ]


def test_drills_half_yearly_for_factory_in_factory() -> None:
    facts = Facts(drills_by_month={3: 1})
    on = date(2025, 8, 1)
    plain = drill_check(Ent([]), facts, 2025, on, Rules())
    assert plain.met
    nested = drill_check(Ent(["factory_in_factory"]), facts, 2025, on, Rules())
    assert not nested.met
    assert nested.detail.startswith("2025年下半年未开展疏散逃生演练")


def test_quiz_and_hazard_checks() -> None:
    assert not quiz_check(Facts(), 2025).met
    assert not quiz_check(Facts(checks_by_month={2: 2}, checks_without_quiz=1), 2025).met
    assert quiz_check(Facts(checks_by_month={2: 2}), 2025).met
    overdue, zero = hazard_checks(Facts(major_open=2, major_overdue=1), date(2025, 5, 1))
    assert (overdue.met, zero.met) == (False, False)
    assert overdue.detail == "截至2025-05-01，有1项重大事故隐患超过整改期限仍未销号"
    overdue, zero = hazard_checks(Facts(), date(2025, 5, 1))
    assert (overdue.met, zero.met) == (True, True)
