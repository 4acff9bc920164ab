"""Accident grades per 《生产安全事故报告和调查处理条例》(国务院令第493号) 第三条.

The grade is the highest one reached on any of the three axes (deaths, serious injuries incl.
acute industrial poisoning, direct economic loss). 第三条 last paragraph: "以上" includes the
number, "以下" excludes it — so every threshold below is an inclusive lower bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


class AccidentGrade(StrEnum):
    GENERAL = "general"  # 一般事故
    LARGER = "larger"  # 较大事故
    MAJOR = "major"  # 重大事故
    ESPECIALLY_MAJOR = "especially_major"  # 特别重大事故


GRADE_LABELS: dict[str, str] = {
    AccidentGrade.GENERAL: "一般事故",
    AccidentGrade.LARGER: "较大事故",
    AccidentGrade.MAJOR: "重大事故",
    AccidentGrade.ESPECIALLY_MAJOR: "特别重大事故",
}


@dataclass(frozen=True, slots=True)
class GradeThreshold:
    """Inclusive lower bounds; reaching any one of them gives `grade`."""

    grade: AccidentGrade
    deaths: int
    serious_injuries: int
    direct_loss_yuan: Decimal


# 493号令 第三条 (一)-(三), highest grade first. 一般 is everything below 较大 (第三条(四)).
THRESHOLDS: tuple[GradeThreshold, ...] = (
    # (一) 30人以上死亡，或者100人以上重伤，或者1亿元以上直接经济损失
    GradeThreshold(AccidentGrade.ESPECIALLY_MAJOR, 30, 100, Decimal("100000000")),
    # (二) 10人以上30人以下死亡，或者50人以上100人以下重伤，或者5000万元以上1亿元以下
    GradeThreshold(AccidentGrade.MAJOR, 10, 50, Decimal("50000000")),
    # (三) 3人以上10人以下死亡，或者10人以上50人以下重伤，或者1000万元以上5000万元以下
    GradeThreshold(AccidentGrade.LARGER, 3, 10, Decimal("10000000")),
)


def accident_grade(
    *, deaths: int, serious_injuries: int, direct_loss_yuan: Decimal
) -> AccidentGrade:
    """Grade an accident (493号令 第三条). Negative counts or losses raise ValueError.

    Call again when late deaths are added within 30 days (补报), the grade can rise.
    """
    # Check finiteness first: comparing a NaN Decimal raises InvalidOperation, not ValueError.
    if not direct_loss_yuan.is_finite():
        raise ValueError("direct_loss_yuan must be a finite amount")
    if deaths < 0 or serious_injuries < 0 or direct_loss_yuan < 0:
        raise ValueError("deaths, serious_injuries and direct_loss_yuan must be >= 0")
    for t in THRESHOLDS:
        if (
            deaths >= t.deaths
            or serious_injuries >= t.serious_injuries
            or direct_loss_yuan >= t.direct_loss_yuan
        ):
            return t.grade
    return AccidentGrade.GENERAL
