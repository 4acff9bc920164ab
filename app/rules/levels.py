"""Hazard levels (应急管理部令第10号 第二条): the two grades a hazard is judged into."""

from __future__ import annotations

from enum import StrEnum


class HazardLevel(StrEnum):
    general = "general"  # 一般事故隐患
    major = "major"  # 重大事故隐患


LEVEL_LABELS = {HazardLevel.general: "一般事故隐患", HazardLevel.major: "重大事故隐患"}
