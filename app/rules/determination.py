"""How a hazard's level is decided (brief §7, 应急管理部令第10号), as pure functions.

- Any cited item of the standard that applies to the enterprise → `major` (重大事故隐患),
  citing each item's article, plus 第十四条 when `device_failed` (the item's monitoring,
  alarm or protection device failed or is ineffective).
- No items → `general` (一般), unless the street office determines `major` with a reason
  (a recorded manual determination, e.g. 第二条: hazards judged under another field's
  standard).
- An item that does not exist, or does not apply to the enterprise's sector/features, is
  an error naming the code.

The service (`app/services/determination.py`) picks the standard version and turns the
refusals and item errors here into problem responses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.rules.levels import HazardLevel
from app.rules.standard import ARTICLE_14, StandardItem, StandardVersion, applies_because


@dataclass(frozen=True)
class Basis:
    """判定依据: what a hazard's level rests on; stored on the hazard as JSON."""

    standard_version: str | None
    item_codes: list[str] = field(default_factory=list)
    articles: list[int] = field(default_factory=list)
    manual_reason: str | None = None
    device_failed: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "standard_version": self.standard_version,
            "item_codes": list(self.item_codes),
            "articles": list(self.articles),
            "manual_reason": self.manual_reason,
            "device_failed": self.device_failed,
        }


@dataclass(frozen=True)
class Determination:
    level: HazardLevel
    basis: Basis


class DeterminationRefusal(StrEnum):
    """Why a determination request is refused (the service's problem codes)."""

    article14_needs_item = "article14_needs_item"  # 第十四条 qualifies an item, never alone
    manual_major_forbidden = "manual_major_forbidden"  # only the street office, by hand
    level_reason_required = "level_reason_required"  # a manual major needs its reason


@dataclass(frozen=True)
class ItemError:
    """One cited code that is unknown, or does not apply to the enterprise."""

    index: int
    code: str
    kind: str  # "unknown_item_code" | "item_not_applicable"
    msg: str


def _item_error(
    standard: StandardVersion,
    item: StandardItem | None,
    i: int,
    code: str,
    sector: str,
    features: list[str],
) -> ItemError | None:
    if item is None:
        msg = f"条目 {code} 不存在于标准 {standard.version} 版"
        return ItemError(i, code, "unknown_item_code", msg)
    if applies_because(item.rule, sector=sector, features=features) is None:
        msg = f"条目 {code} 不适用于该企业（行业 {sector}，风险特征 {', '.join(features) or '无'}）"
        return ItemError(i, code, "item_not_applicable", msg)
    return None


def item_code_errors(
    standard: StandardVersion, sector: str, features: Iterable[str], item_codes: list[str]
) -> list[ItemError]:
    """Every cited code (by its index) that is unknown to `standard` or does not apply."""
    by_code = {item.code: item for item in standard.items}
    feats = list(features)
    errors = (
        _item_error(standard, by_code.get(code), i, code, sector, feats)
        for i, code in enumerate(item_codes)
    )
    return [e for e in errors if e is not None]


def in_standard_order(standard: StandardVersion, item_codes: Iterable[str]) -> list[str]:
    """Valid codes, once each, in the order the standard lists them."""
    order = {item.code: n for n, item in enumerate(standard.items)}
    return sorted(set(item_codes), key=order.__getitem__)


def decide(
    standard: StandardVersion,
    codes: list[str],
    *,
    by_street_office: bool,
    requested_level: HazardLevel | None = None,
    level_reason: str | None = None,
    device_failed: bool = False,
) -> Determination | DeterminationRefusal:
    """The level and basis for valid, ordered `codes` (see module doc), or why not."""
    if codes:
        by_code = {item.code: item for item in standard.items}
        articles = sorted(
            {by_code[c].article for c in codes} | ({ARTICLE_14} if device_failed else set())
        )
        return Determination(
            HazardLevel.major,
            Basis(standard.version, codes, articles, level_reason, device_failed),
        )
    if device_failed:
        return DeterminationRefusal.article14_needs_item
    if requested_level == HazardLevel.major:
        if not by_street_office:
            return DeterminationRefusal.manual_major_forbidden
        if not level_reason or not level_reason.strip():
            return DeterminationRefusal.level_reason_required
        return Determination(HazardLevel.major, Basis(None, [], [], level_reason.strip()))
    return Determination(HazardLevel.general, Basis(None, [], [], None))
