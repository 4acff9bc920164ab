"""The plan's compliance rules (brief §7; 实施方案 三(三)–三(六)), as pure data and functions:
the plan period, the facts one enterprise's records yield, the checks' labels and bases,
and the periods a periodic rule is judged on. The checks themselves are in
`app/rules/compliance_checks.py`; the queries gathering the facts stay in
`app/services/compliance/facts.py`.

Periodic rules are judged on the periods that have begun by the evaluation date: `met`
stays false until the current period is satisfied too ("false until the rule is satisfied
for the period").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from app.rules.calendar import periods

# Plan period (方案 标题: 2024–2026) within which principal heads' training must reach 100 %.
PLAN_START = date(2024, 1, 1)
PLAN_END = date(2026, 12, 31)


@dataclass
class Facts:
    """What the records say about one enterprise for one year, up to the evaluation date."""

    drills_by_month: dict[int, int] = field(default_factory=dict)
    checks_by_month: dict[int, int] = field(default_factory=dict)
    checks_without_quiz: int = 0
    principal_trainees: set[str] = field(default_factory=set)
    certificates: int = 0
    certificates_bad: int = 0
    certificates_expiring: int = 0
    major_open: int = 0
    major_overdue: int = 0
    overdue: int = 0
    hazard_standard_trainings: int = 0
    # 较大及以上 accidents and 重大涉险 events of the year, and how many lack a follow-up.
    serious_accidents: int = 0
    accidents_without_interview: int = 0
    accidents_not_reported: int = 0


def evaluation_date(year: int, today: date) -> tuple[date, bool]:
    """(date the year is judged on, whether that is today): a closed year on 31 December."""
    if year < today.year:
        return date(year, 12, 31), False
    return today, True


CHECK_LABELS: dict[str, str] = {
    "evacuation_drill": "疏散逃生演练",
    "principal_checks": "主要负责人带队检查",
    "principal_quiz": "逢查必考、逢查必问",
    "principal_training": "主要负责人专题安全教育培训",
    "certificates_valid": "特种作业操作证有效",
    "major_overdue": "重大事故隐患无超期未整改",
    "major_zero": "重大事故隐患动态清零",
    "standardization": "安全生产标准化等级有效",
    "hazard_standard_training": "重大事故隐患判定标准纳入日常培训",
    "accident_followup": "较大及以上事故、重大涉险事故警示约谈并上报",
}
BASIS: dict[str, str] = {
    "evacuation_drill": (
        "实施方案 三(六)12：企业每年至少开展1次疏散逃生演练，“厂中厂”等类型企业至少每半年开展1次"
    ),
    "principal_checks": (
        "实施方案 三(三)4：主要负责人每季度至少带队检查1次重大事故隐患排查整治情况"
        "（金属冶炼企业至少每月1次）"
    ),
    "principal_quiz": "实施方案 三(三)4：在检查中开展逢查必考、逢查必问",
    "principal_training": (
        "实施方案 三(六)11：三年内（2024–2026年）完成企业主要负责人专题安全教育培训全覆盖"
    ),
    "certificates_valid": (
        "《特种作业人员安全技术培训考核管理规定》（原安监总局令第30号）"
        "第十九条、第二十一条；实施方案 三(六)13"
    ),
    "major_overdue": (
        "实施方案 三(三)5：重大事故隐患全部上账、即查即改、全面整改，照单逐条整改销号"
    ),
    "major_zero": (
        "实施方案 三(三)5：确保重大事故隐患动态清零；二：2026年底前建立动态清零、闭环管理常态化机制"
    ),
    "standardization": (
        "实施方案 三(四)8：积极引导符合条件的工贸企业创评安全生产标准化等级，"
        "实施重大事故隐患“一票否决”"
    ),
    "hazard_standard_training": (
        "实施方案 三(三)4：将《工贸企业重大事故隐患判定标准》作为企业日常培训的一项重要内容"
    ),
    "accident_followup": (
        "实施方案 三(三)6：对每一起较大及以上和重大涉险事故，对涉事企业相关负责人实施警示约谈"
        "并上报区应急局"
    ),
}


class EnterpriseLike(Protocol):
    """The enterprise fields the rules read (an ORM row or a selected row)."""

    @property
    def features(self) -> list[str]: ...
    @property
    def principal_name(self) -> str | None: ...
    @property
    def standardization_grade(self) -> int | None: ...
    @property
    def standardization_certified_on(self) -> date | None: ...
    @property
    def standardization_expires_on(self) -> date | None: ...
    @property
    def standardization_required(self) -> bool: ...


class ComplianceSettings(Protocol):
    """The settings the rules read (app/core/config.py `Settings` has them)."""

    @property
    def half_yearly_drill_features(self) -> Sequence[str]: ...
    @property
    def drills_per_year(self) -> int: ...
    @property
    def drills_per_year_factory_in_factory(self) -> int: ...
    @property
    def principal_checks_per_year(self) -> int: ...
    @property
    def principal_checks_per_year_metal_smelting(self) -> int: ...
    @property
    def certificate_warning_days(self) -> int: ...


_HALVES = ("上半年", "下半年")
_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass(frozen=True)
class Check:
    code: str
    met: bool
    detail: str
    basis: str
    # Information, not a breach: the plan asks nothing of this enterprise here (met stays true).
    info: bool = False

    @property
    def label(self) -> str:
        return CHECK_LABELS[self.code]

    @property
    def status(self) -> str:
        return "info" if self.info else ("met" if self.met else "unmet")


def period_name(year: int, per_year: int, index: int) -> str:
    if per_year == 1:
        return f"{year}年"
    if per_year == 2:
        return f"{year}年{_HALVES[index]}"
    if per_year == 4:
        return f"{year}年{_QUARTERS[index]}"
    return f"{year}年{index + 1}月"


def period_counts(
    by_month: dict[int, int], year: int, per_year: int, on: date
) -> list[tuple[str, int]]:
    """(name, count) for each period of `year` that has begun by `on`."""
    out = []
    for i, (start, end) in enumerate(periods(year, per_year)):
        if start > on:
            break
        n = sum(by_month.get(m, 0) for m in range(start.month, end.month + 1))
        out.append((period_name(year, per_year, i), n))
    return out
