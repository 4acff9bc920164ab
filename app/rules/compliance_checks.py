"""The compliance checks (brief §7), evaluated on facts; pure, no database.

Each check cites the plan section or article it applies (`BASIS` in
`app/rules/compliance.py`, which also holds the facts and the period logic).
"""

from __future__ import annotations

from datetime import date

from app.rules.compliance import (
    BASIS,
    PLAN_END,
    PLAN_START,
    Check,
    ComplianceSettings,
    EnterpriseLike,
    Facts,
    period_counts,
)
from app.rules.enterprise_kinds import FEATURE_LABELS, Feature


def _periodic(code: str, counts: list[tuple[str, int]], what: str, rule: str, year: int) -> Check:
    if not counts:
        return Check(code, False, f"{year}年尚未开始，暂无{what}记录", BASIS[code])
    missing = [name for name, n in counts if n == 0]
    total = sum(n for _, n in counts)
    if missing:
        detail = f"{'、'.join(missing)}未开展{what}（{rule}）；已记录{total}次"
        return Check(code, False, detail, BASIS[code])
    return Check(
        code, True, f"{'、'.join(n for n, _ in counts)}均已开展{what}，共{total}次", BASIS[code]
    )


def drill_check(ent: EnterpriseLike, f: Facts, year: int, on: date, s: ComplianceSettings) -> Check:
    # 方案 三(六)12 "“厂中厂”等类型企业": the half-yearly features are a setting.
    kinds = sorted(set(ent.features or []) & set(s.half_yearly_drill_features))
    per_year = s.drills_per_year_factory_in_factory if kinds else s.drills_per_year
    names = "、".join(f"“{FEATURE_LABELS.get(k, k)}”" for k in kinds)
    rule = f"{names}企业每年至少{per_year}次、每半年至少1次" if kinds else f"每年至少{per_year}次"
    counts = period_counts(f.drills_by_month, year, per_year, on)
    return _periodic("evacuation_drill", counts, "疏散逃生演练", rule, year)


def principal_checks_check(
    ent: EnterpriseLike, f: Facts, year: int, on: date, s: ComplianceSettings
) -> Check:
    smelting = Feature.METAL_SMELTING.value in (ent.features or [])
    per_year = (
        s.principal_checks_per_year_metal_smelting if smelting else s.principal_checks_per_year
    )
    rule = "金属冶炼企业每月至少1次" if per_year == 12 else f"每年至少{per_year}次，每期至少1次"
    counts = period_counts(f.checks_by_month, year, per_year, on)
    return _periodic("principal_checks", counts, "主要负责人带队检查", rule, year)


def quiz_check(f: Facts, year: int) -> Check:
    total = sum(f.checks_by_month.values())
    if total == 0:
        return Check(
            "principal_quiz",
            False,
            f"{year}年无主要负责人带队检查，因而没有逢查必考记录",
            BASIS["principal_quiz"],
        )
    if f.checks_without_quiz:
        detail = f"{year}年{total}次主要负责人带队检查中有{f.checks_without_quiz}次没有考问记录"
        return Check("principal_quiz", False, detail, BASIS["principal_quiz"])
    return Check(
        "principal_quiz",
        True,
        f"{year}年{total}次主要负责人带队检查均有考问记录",
        BASIS["principal_quiz"],
    )


def training_check(ent: EnterpriseLike, f: Facts, on: date) -> Check:
    code = "principal_training"
    if on < PLAN_START:
        return Check(code, False, "三年行动尚未开始", BASIS[code])
    upto = min(on, PLAN_END).isoformat()
    if ent.principal_name:
        if ent.principal_name.strip() in f.principal_trainees:
            return Check(
                code,
                True,
                f"现任主要负责人已于{PLAN_START.isoformat()}至{upto}期间完成专题安全教育培训",
                BASIS[code],
            )
        extra = (
            "（有其他人员以主要负责人身份参训，但不是现任主要负责人）"
            if f.principal_trainees
            else ""
        )
        return Check(code, False, f"现任主要负责人尚无专题安全教育培训合格记录{extra}", BASIS[code])
    if f.principal_trainees:
        return Check(
            code,
            True,
            "已有主要负责人专题安全教育培训记录（企业档案未登记主要负责人姓名）",
            BASIS[code],
        )
    return Check(code, False, "尚无主要负责人专题安全教育培训记录", BASIS[code])


def certificates_check(f: Facts, on: date, warning_days: int) -> Check:
    code = "certificates_valid"
    if f.certificates_bad:
        detail = (
            f"截至{on.isoformat()}，{f.certificates}本特种作业操作证中"
            f"有{f.certificates_bad}本已过期或逾期未复审"
        )
        return Check(code, False, detail, BASIS[code])
    if not f.certificates:
        return Check(code, True, "未登记特种作业操作证", BASIS[code])
    near = (
        f"，其中{f.certificates_expiring}本将在{warning_days}天内到期或需复审"
        if f.certificates_expiring
        else ""
    )
    return Check(code, True, f"{f.certificates}本特种作业操作证均在有效期内{near}", BASIS[code])


def hazard_checks(f: Facts, on: date) -> list[Check]:
    day = on.isoformat()
    overdue = (
        Check(
            "major_overdue",
            True,
            f"截至{day}，没有超过整改期限未销号的重大事故隐患",
            BASIS["major_overdue"],
        )
        if not f.major_overdue
        else Check(
            "major_overdue",
            False,
            f"截至{day}，有{f.major_overdue}项重大事故隐患超过整改期限仍未销号",
            BASIS["major_overdue"],
        )
    )
    zero = (
        Check("major_zero", True, f"截至{day}，重大事故隐患已清零", BASIS["major_zero"])
        if not f.major_open
        else Check(
            "major_zero",
            False,
            f"截至{day}，仍有{f.major_open}项重大事故隐患未销号",
            BASIS["major_zero"],
        )
    )
    return [overdue, zero]


def standardization_check(ent: EnterpriseLike, f: Facts, on: date) -> Check:
    code = "standardization"
    grade = ent.standardization_grade
    if grade is None:
        if ent.standardization_required:
            return Check(code, False, "未取得安全生产标准化等级（已列为须创评企业）", BASIS[code])
        # 方案 三(四)8 引导符合条件的企业创评: guidance, so a missing grade is only information.
        detail = "未取得安全生产标准化等级（方案要求引导符合条件的企业创评，仅作提示）"
        return Check(code, True, detail, BASIS[code], info=True)
    if ent.standardization_certified_on is not None and ent.standardization_certified_on > on:
        return Check(
            code,
            False,
            f"安全生产标准化{grade}级自{ent.standardization_certified_on.isoformat()}起生效",
            BASIS[code],
        )
    expires = ent.standardization_expires_on
    if expires is not None and expires < on:
        return Check(
            code, False, f"安全生产标准化{grade}级已于{expires.isoformat()}到期", BASIS[code]
        )
    if f.major_open:
        detail = (
            f"安全生产标准化{grade}级，但截至{on.isoformat()}有{f.major_open}项重大事故隐患"
            "未销号，实施“一票否决”"
        )
        return Check(code, False, detail, BASIS[code])
    until = f"，有效期至{expires.isoformat()}" if expires else ""
    return Check(code, True, f"安全生产标准化{grade}级有效{until}", BASIS[code])


def hazard_standard_training_check(f: Facts, year: int) -> Check:
    code = "hazard_standard_training"
    n = f.hazard_standard_trainings
    if n:
        return Check(code, True, f"{year}年已开展重大事故隐患判定标准培训{n}次", BASIS[code])
    return Check(code, False, f"{year}年尚无重大事故隐患判定标准培训记录", BASIS[code])


def accident_followup_check(f: Facts, year: int) -> Check:
    code = "accident_followup"
    if not f.serious_accidents:
        return Check(code, True, f"{year}年无较大及以上事故或重大涉险事故", BASIS[code])
    gaps = []
    if f.accidents_without_interview:
        gaps.append(f"{f.accidents_without_interview}起未实施警示约谈")
    if f.accidents_not_reported:
        gaps.append(f"{f.accidents_not_reported}起未上报区应急局")
    head = f"{year}年较大及以上事故、重大涉险事故{f.serious_accidents}起"
    if gaps:
        return Check(code, False, f"{head}，其中{'，'.join(gaps)}", BASIS[code])
    return Check(code, True, f"{head}，均已警示约谈并上报区应急局", BASIS[code])


def evaluate(
    ent: EnterpriseLike, f: Facts, *, year: int, on: date, settings: ComplianceSettings
) -> list[Check]:
    """Every check, in the contract's order."""
    return [
        drill_check(ent, f, year, on, settings),
        principal_checks_check(ent, f, year, on, settings),
        quiz_check(f, year),
        training_check(ent, f, on),
        certificates_check(f, on, settings.certificate_warning_days),
        *hazard_checks(f, on),
        standardization_check(ent, f, on),
        hazard_standard_training_check(f, year),
        accident_followup_check(f, year),
    ]
