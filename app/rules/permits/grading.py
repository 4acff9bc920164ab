"""Grades and validity computed from facts (GB 30871-2022 5.1, 8.1, B.1), never typed in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.rules.permits.errors import RuleViolation
from app.rules.permits.kinds import (
    GRADE_ORDER,
    HeightFactor,
    HeightGrade,
    HeightSituation,
    HotGrade,
    PermitType,
)
from app.rules.permits.settings import PermitRules


@dataclass(frozen=True)
class Grade:
    value: str | None
    reasons: tuple[str, ...]


def hot_work_grade(
    *,
    fire_explosion_area: bool,
    running_equipment: bool,
    major_hazard_dyke: bool,
    pipe_rack: bool,
    holiday_or_night: bool,
    rules: PermitRules,
) -> Grade:
    """GB 30871-2022 5.1.1–5.1.4: 特级 = running equipment in a fire/explosion area or inside
    a major-hazard tank-farm dyke; 一级 = other work in such areas, pipe racks included;
    二级 = the rest. Holidays, rest days and nights are 升级管理 (5.1.1)."""
    if (fire_explosion_area and running_equipment) or major_hazard_dyke:
        grade, why = HotGrade.special, ["GB 30871-2022 5.1.2"]
    elif fire_explosion_area or pipe_rack:
        grade, why = HotGrade.level1, ["GB 30871-2022 5.1.3"]
    else:
        grade, why = HotGrade.level2, ["GB 30871-2022 5.1.4"]
    if holiday_or_night:
        order = GRADE_ORDER[PermitType.hot_work]
        raised = min(order.index(grade) + rules.hot_work_upgrade_steps, len(order) - 1)
        grade = HotGrade(order[raised])
        why.append("GB 30871-2022 5.1.1 节假日、夜间升级管理")
    return Grade(grade.value, tuple(why))


_BANDS = ((5.0, 0), (15.0, 1), (30.0, 2))  # GB 30871-2022 8.1.1: 2–5 / 5–15 / 15–30 / >30 m
_CLASS_A = (HeightGrade.I, HeightGrade.II, HeightGrade.III, HeightGrade.IV)
_CLASS_B = (HeightGrade.II, HeightGrade.III, HeightGrade.IV, HeightGrade.IV)
# B.1 note 2: the lowest grade a situation allows. "→ Ⅱ/Ⅲ" read as "at least Ⅱ" [U].
_SITUATION_FLOOR: dict[str, HeightGrade] = {
    HeightSituation.slope_over_45: HeightGrade.I,
    HeightSituation.near_opening: HeightGrade.II,
    HeightSituation.hazardous_area: HeightGrade.II,
    HeightSituation.on_vessel: HeightGrade.II,
    HeightSituation.extreme_temperature: HeightGrade.IV,
    HeightSituation.snow_or_rain: HeightGrade.IV,
    HeightSituation.night: HeightGrade.IV,
    HeightSituation.live_work: HeightGrade.IV,
    HeightSituation.suspended: HeightGrade.IV,
}


def height_grade(
    *, height_m: float, factors: Iterable[HeightFactor], situations: Iterable[HeightSituation]
) -> Grade:
    """GB 30871-2022 8.1.3: class A (no factor of 8.1.2) Ⅰ/Ⅱ/Ⅲ/Ⅳ by height band; class B
    (any factor) Ⅱ/Ⅲ/Ⅳ/Ⅳ; then B.1 note 2 raises listed situations."""
    if height_m < 2.0:
        raise RuleViolation(
            "height_below_2m",
            "坠落高度基准面 2 m 以下不属于高处作业",
            "Below 2 m is not work at height",
            citation="GB 30871-2022 3.7 / GB/T 3608",
            kind="invalid",
        )
    band = next((i for limit, i in _BANDS if height_m <= limit), 3)
    factors = list(factors)
    grade = (_CLASS_B if factors else _CLASS_A)[band]
    why = [f"GB 30871-2022 8.1.3 {'B' if factors else 'A'} 类"]
    order = GRADE_ORDER[PermitType.work_at_height]
    for situation in situations:
        floor = _SITUATION_FLOOR[situation]
        if order.index(floor) > order.index(grade):
            grade = floor
            why.append(f"GB 30871-2022 B.1 注2 {situation}")
    return Grade(grade.value, tuple(why))


def apply_override(
    permit_type: str, computed: str | None, override: str | None, reason: str | None
) -> str | None:
    """An override may only raise the computed grade, and needs a reason [D: permits.md §6]."""
    if override is None or override == computed:
        return computed
    order = GRADE_ORDER.get(permit_type)
    if order is None or override not in order or computed is None:
        raise RuleViolation(
            "grade_override_invalid",
            "该作业类型没有此级别",
            "This permit type has no such grade",
            citation="GB 30871-2022 5.1 / 8.1",
            kind="invalid",
        )
    if order.index(override) < order.index(computed):
        raise RuleViolation(
            "grade_override_lower",
            f"作业级别只能调高，不能低于计算所得的 {computed}",
            f"A grade may only be raised above the computed {computed}",
            citation="GB 30871-2022 B.1（分级管理）",
            kind="invalid",
        )
    if not (reason and reason.strip()):
        raise RuleViolation(
            "grade_override_reason",
            "调高作业级别须说明理由",
            "Raising the grade needs a reason",
            citation="GB 30871-2022 B.1",
            kind="invalid",
        )
    return override


def validity_end(
    *,
    permit_type: str,
    grade: str | None,
    valid_from: datetime,
    planned_end: datetime,
    rules: PermitRules,
) -> datetime:
    """valid_to = min(planned end, start + cap): GB 30871 5.1.5, 6.10, 8.2.11 (no 延期, 4.16)."""
    if planned_end <= valid_from:
        raise RuleViolation(
            "window_empty",
            "计划结束时间须晚于开始时间",
            "planned_end must be after planned_start",
            citation="GB 30871-2022 4.16",
            kind="invalid",
        )
    cap = rules.validity.get((permit_type, grade or "")) or rules.validity[(permit_type, "")]
    return min(planned_end, valid_from + cap)
