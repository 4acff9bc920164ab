"""Codes of permit types, grades, hazard factors and enterprise roles used by the rules."""

from __future__ import annotations

from enum import StrEnum


class PermitType(StrEnum):
    """GB 30871-2022 has eight special operations; 工贸 uses three here (issue 15)."""

    hot_work = "hot_work"  # 动火作业
    confined_space = "confined_space"  # 受限（有限）空间作业
    work_at_height = "work_at_height"  # 高处作业


class HotGrade(StrEnum):
    """GB 30871-2022 5.1: 特级 > 一级 > 二级 (no 三级 exists)."""

    level2 = "level2"  # 二级动火
    level1 = "level1"  # 一级动火
    special = "special"  # 特级动火


class HeightGrade(StrEnum):
    """GB 30871-2022 8.1.3: Ⅰ < Ⅱ < Ⅲ < Ⅳ (no 特级)."""

    I = "I"  # noqa: E741 — the standard's own grade name
    II = "II"
    III = "III"
    IV = "IV"


# Ascending order of each graded type, so "raise only" is a comparison.
GRADE_ORDER: dict[str, tuple[str, ...]] = {
    PermitType.hot_work: tuple(HotGrade),
    PermitType.work_at_height: tuple(HeightGrade),
}


class HeightFactor(StrEnum):
    """The nine objective hazard factors of GB 30871-2022 8.1.2."""

    wind_force_5 = "wind_force_5"  # 阵风风力五级以上
    cold_air = "cold_air"  # 平均气温 ≤5 ℃
    cold_water = "cold_water"  # 接触冷水温度 ≤12 ℃
    slippery = "slippery"  # 作业场地有冰、雪、霜、油、水等易滑物
    poor_light = "poor_light"  # 作业场所光线不足或能见度差
    live_conductor = "live_conductor"  # 接近或接触危险电压带电体
    unstable_footing = "unstable_footing"  # 摆动、立足处不是平面或只有很小的平面
    toxic_or_low_oxygen = "toxic_or_low_oxygen"  # 有毒气体或空气中含氧量 <19.5 %
    disaster_rescue = (
        "disaster_rescue"  # 可能会引起各种灾害事故的作业环境和抢救突然发生的各种灾害事故
    )


class HeightSituation(StrEnum):
    """GB 30871-2022 B.1 note 2: situations that raise the approval level of a height permit."""

    slope_over_45 = "slope_over_45"  # 在坡度大于45°的斜坡上面 → Ⅰ级起
    near_opening = "near_opening"  # 在升降口、坑、井、池、沟、洞等上面或附近 → Ⅱ级起
    hazardous_area = "hazardous_area"  # 易燃、易爆、易中毒、易灼伤的区域 → Ⅱ级起
    on_vessel = "on_vessel"  # 在塔、釜、炉、罐等设备内 → Ⅱ级起
    extreme_temperature = "extreme_temperature"  # 异温高处作业 → Ⅳ级
    snow_or_rain = "snow_or_rain"  # 雪天、雨天 → Ⅳ级
    night = "night"  # 夜间高处作业 → Ⅳ级
    live_work = "live_work"  # 带电高处作业 → Ⅳ级
    suspended = "suspended"  # 悬空高处作业 → Ⅳ级


class EnterpriseRole(StrEnum):
    """Enterprise-side duties a permit's sign-off names [D: permits.md §8 role mapping]."""

    principal = "principal"  # 主要负责人 / 主管领导
    safety_manager = "safety_manager"  # 安全管理部门
    dept_head = "dept_head"  # 所在基层单位 / 专业部门
    chief_engineer = "chief_engineer"  # 主管厂长或总工程师


class AnyGrade(StrEnum):
    """Every grade of every graded type, for filters."""

    special = "special"
    level1 = "level1"
    level2 = "level2"
    I = "I"  # noqa: E741
    II = "II"
    III = "III"
    IV = "IV"
