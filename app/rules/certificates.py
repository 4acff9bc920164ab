"""特种作业操作证 (special-operations certificates) per 《特种作业人员安全技术培训考核管理规定》
(原国家安监总局令第30号, amended by 63号/80号令) and its annex 《特种作业目录》.

Not covered here: 特种设备作业人员证 (forklift, crane, boiler …), a different regime under 市场监管.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class CertificateCategory(StrEnum):
    """The 11 categories of the 特种作业目录 (annex to 30号令)."""

    ELECTRICAL = "electrical"  # 电工作业
    WELDING_CUTTING = "welding_cutting"  # 焊接与热切割作业
    WORK_AT_HEIGHT = "work_at_height"  # 高处作业
    REFRIGERATION = "refrigeration"  # 制冷与空调作业
    COAL_MINE = "coal_mine"  # 煤矿安全作业
    METAL_NONMETAL_MINE = "metal_nonmetal_mine"  # 金属非金属矿山安全作业
    OIL_GAS = "oil_gas"  # 石油天然气安全作业
    METALLURGY_GAS = "metallurgy_gas"  # 冶金（有色）生产安全作业
    HAZARDOUS_CHEMICALS = "hazardous_chemicals"  # 危险化学品安全作业
    FIREWORKS = "fireworks"  # 烟花爆竹安全作业
    OTHER = "other"  # 应急管理部认定的其他作业


CATEGORY_LABELS: dict[str, str] = {
    CertificateCategory.ELECTRICAL: "电工作业",
    CertificateCategory.WELDING_CUTTING: "焊接与热切割作业",
    CertificateCategory.WORK_AT_HEIGHT: "高处作业",
    CertificateCategory.REFRIGERATION: "制冷与空调作业",
    CertificateCategory.COAL_MINE: "煤矿安全作业",
    CertificateCategory.METAL_NONMETAL_MINE: "金属非金属矿山安全作业",
    CertificateCategory.OIL_GAS: "石油天然气安全作业",
    CertificateCategory.METALLURGY_GAS: "冶金（有色）生产安全作业",
    CertificateCategory.HAZARDOUS_CHEMICALS: "危险化学品安全作业",
    CertificateCategory.FIREWORKS: "烟花爆竹安全作业",
    CertificateCategory.OTHER: "应急管理部认定的其他作业",
}

# 操作项目 per category, from regulations.md §3. Kept as data, not enums: the catalogue is
# under discussion for revision, and the lists for categories 2, 3, 4, 9, 10 are unconfirmed.
CATEGORY_SUBTYPES: dict[str, tuple[str, ...]] = {
    CertificateCategory.ELECTRICAL: ("高压电工作业", "低压电工作业", "防爆电气作业"),
    CertificateCategory.WELDING_CUTTING: ("熔化焊接与热切割作业", "压力焊作业", "钎焊作业"),
    CertificateCategory.WORK_AT_HEIGHT: ("登高架设作业", "高处安装、维护、拆除作业"),
    CertificateCategory.REFRIGERATION: (
        "制冷与空调设备运行操作作业",
        "制冷与空调设备安装修理作业",
    ),
    CertificateCategory.COAL_MINE: (
        "煤矿井下电气作业",
        "煤矿井下爆破作业",
        "煤矿安全监测监控作业",
        "煤矿瓦斯检查作业",
        "煤矿安全检查作业",
        "煤矿提升机操作作业",
        "煤矿采煤机（掘进机）操作作业",
        "煤矿瓦斯抽采作业",
        "煤矿防突作业",
        "煤矿探放水作业",
    ),
    CertificateCategory.METAL_NONMETAL_MINE: (
        "金属非金属矿井通风作业",
        "尾矿作业",
        "金属非金属矿山安全检查作业",
        "金属非金属矿山提升机操作作业",
        "金属非金属矿山支柱作业",
        "金属非金属矿山井下电气作业",
        "金属非金属矿山排水作业",
        "金属非金属矿山爆破作业",
    ),
    CertificateCategory.OIL_GAS: ("司钻作业",),
    CertificateCategory.METALLURGY_GAS: ("煤气作业",),
    CertificateCategory.HAZARDOUS_CHEMICALS: (
        "光气及光气化工艺作业",
        "氯碱电解工艺作业",
        "氯化工艺作业",
        "硝化工艺作业",
        "合成氨工艺作业",
        "裂解（裂化）工艺作业",
        "氟化工艺作业",
        "加氢工艺作业",
        "重氮化工艺作业",
        "氧化工艺作业",
        "过氧化工艺作业",
        "胺基化工艺作业",
        "磺化工艺作业",
        "聚合工艺作业",
        "烷基化工艺作业",
        "化工自动化控制仪表作业",
    ),
    CertificateCategory.FIREWORKS: (
        "烟火药制造作业",
        "黑火药制造作业",
        "引火线制造作业",
        "烟花爆竹产品涉药作业",
        "烟花爆竹储存作业",
    ),
    CertificateCategory.OTHER: (),
}

# 30号令 第十九条: 特种作业操作证有效期为6年，在全国范围内有效。
VALIDITY_YEARS = 6
# 30号令 第二十一条: 每3年复审1次; holders with 10+ years' clean record in the same type may,
# with the issuing authority's consent, be reviewed every 6 years instead.
REVIEW_YEARS = 3
EXTENDED_REVIEW_YEARS = 6
# 30号令 第二十二条 (as commonly cited): apply for review within 60 days before it is due.
DEFAULT_WARNING_DAYS = 60


def add_years(d: date, years: int) -> date:
    """`d` plus whole calendar years; 29 Feb maps to 28 Feb in a non-leap target year.

    28 Feb (not 1 Mar) keeps the computed date on or before the true anniversary, so a
    certificate is never treated as valid for a day longer than the rule allows.
    """
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def default_next_review(issued_on: date, *, extended_review: bool = False) -> date:
    """First 复审 date: issue + 3 years (30号令 第二十一条), or + 6 years if extended."""
    return add_years(issued_on, EXTENDED_REVIEW_YEARS if extended_review else REVIEW_YEARS)


def default_expiry(issued_on: date) -> date:
    """Expiry: issue + 6 years (30号令 第十九条); renewal (换证) is due then."""
    return add_years(issued_on, VALIDITY_YEARS)


class CertificateStatus(StrEnum):
    EXPIRED = "expired"  # 已过期 — holder not qualified (candidate for hazard 3.2)
    REVIEW_DUE = "review_due"  # 逾期未复审 — also not qualified
    EXPIRING = "expiring"  # 即将到期/即将复审 — within the warning window
    VALID = "valid"  # 有效


STATUS_LABELS: dict[str, str] = {
    CertificateStatus.EXPIRED: "已过期",
    CertificateStatus.REVIEW_DUE: "逾期未复审",
    CertificateStatus.EXPIRING: "即将到期或复审",
    CertificateStatus.VALID: "有效",
}


def certificate_status(
    *,
    expires_on: date,
    next_review_on: date | None,
    today: date,
    warning_days: int = DEFAULT_WARNING_DAYS,
) -> CertificateStatus:
    """Status of a certificate on `today` (a Shanghai calendar date); first match wins.

    The certificate is still good ON its expiry/review date; it lapses the day after.
    `expiring` holds when either date is within `warning_days` of today, inclusive.
    """
    if warning_days < 0:
        raise ValueError("warning_days must be >= 0")
    if expires_on < today:
        return CertificateStatus.EXPIRED
    if next_review_on is not None and next_review_on < today:
        return CertificateStatus.REVIEW_DUE
    horizon = today + timedelta(days=warning_days)
    if expires_on <= horizon or (next_review_on is not None and next_review_on <= horizon):
        return CertificateStatus.EXPIRING
    return CertificateStatus.VALID
