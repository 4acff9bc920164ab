"""Enterprise classification used across the app (brief §2, 应急管理部令第10号 第二条)."""

from __future__ import annotations

from enum import StrEnum


class Sector(StrEnum):
    """The eight 工贸 industries named in 第10号令 第二条."""

    METALLURGY = "metallurgy"  # 冶金
    NONFERROUS = "nonferrous"  # 有色
    BUILDING_MATERIALS = "building_materials"  # 建材
    MACHINERY = "machinery"  # 机械
    LIGHT_INDUSTRY = "light_industry"  # 轻工
    TEXTILE = "textile"  # 纺织
    TOBACCO = "tobacco"  # 烟草
    COMMERCE = "commerce"  # 商贸 — no sector article in the 2023 standard


SECTOR_LABELS: dict[str, str] = {
    Sector.METALLURGY: "冶金",
    Sector.NONFERROUS: "有色",
    Sector.BUILDING_MATERIALS: "建材",
    Sector.MACHINERY: "机械",
    Sector.LIGHT_INDUSTRY: "轻工",
    Sector.TEXTILE: "纺织",
    Sector.TOBACCO: "烟草",
    Sector.COMMERCE: "商贸",
}


class Feature(StrEnum):
    """Risk features, in any sector, that select checklist items or stricter rules."""

    METAL_SMELTING = "metal_smelting"  # 金属冶炼 — item 3.3; high-risk for training (3号令)
    DUST_EXPLOSION = "dust_explosion"  # 涉爆粉尘 — 第十一条
    AMMONIA_REFRIGERATION = "ammonia_refrigeration"  # 涉氨制冷 — 第十二条
    CONFINED_SPACE = "confined_space"  # 有限空间作业 — 第十三条, 应急管理部令第13号
    HAZARDOUS_CHEMICALS = "hazardous_chemicals"  # 危险化学品 — own standards (第二条)
    FACTORY_IN_FACTORY = "factory_in_factory"  # 厂中厂 — half-yearly drills (plan §三(六)12)


FEATURE_LABELS: dict[str, str] = {
    Feature.METAL_SMELTING: "金属冶炼",
    Feature.DUST_EXPLOSION: "涉爆粉尘",
    Feature.AMMONIA_REFRIGERATION: "涉氨制冷",
    Feature.CONFINED_SPACE: "有限空间作业",
    Feature.HAZARDOUS_CHEMICALS: "危险化学品",
    Feature.FACTORY_IN_FACTORY: "厂中厂",
}


class Tier(StrEnum):
    DISTRICT_KEY = "district_key"  # 区级重点
    SMALL = "small"  # 小型


TIER_LABELS: dict[str, str] = {
    Tier.DISTRICT_KEY: "区级重点",
    Tier.SMALL: "小型",
}
