"""How a hazard's level is decided (brief §7, 应急管理部令第10号).

- Any cited item of the standard that applies to the enterprise → `major` (重大事故隐患).
- No items → `general` (一般), unless the street office determines `major` with a reason
  (a recorded manual determination, e.g. 第二条: hazards judged under another field's standard).
- An item that does not exist, or does not apply to the enterprise's sector/features, is
  refused with 422 naming each bad code.
- `device_failed` (第十四条): the item's monitoring/alarm/protection device failed or is
  ineffective; the basis then cites the item *and* article 14.

Which version decides: callers that hold a session pass `standard=await
standards.current(session)` (the database's current version). Without it, the current version
last read from the database in this process is used, and before any such read the packaged
YAML — the very file the data migration loads as version 2023 — so all three agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.errors import Forbidden, Unprocessable
from app.models.enterprise import Enterprise
from app.rules.levels import HazardLevel
from app.rules.standard import ARTICLE_14, StandardVersion, applies_because, load_standard
from app.services.policy import Actor
from app.services.standards import cached_current


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


def current_standard() -> StandardVersion:
    """The version new determinations use when the caller passes none (see module doc)."""
    return cached_current() or load_standard()


def check_item_codes(
    standard: StandardVersion,
    enterprise: Enterprise,
    item_codes: list[str],
    *,
    loc: str,
    item_field: str | None = None,
) -> list[str]:
    """The codes in standard order; 422 naming every code that is unknown or does not apply.

    Each error's `loc` is `["body", loc, index]`, plus `item_field` when the codes come from a
    list of objects (`["body", "responses", 2, "item_code"]`).
    """
    by_code = {item.code: item for item in standard.items}
    bad: list[dict[str, Any]] = []
    bad_codes: list[str] = []
    for i, code in enumerate(item_codes):
        where: list[str | int] = ["body", loc, i, *([item_field] if item_field else [])]
        item = by_code.get(code)
        if item is None:
            bad_codes.append(code)
            bad.append(
                {
                    "loc": where,
                    "msg": f"条目 {code} 不存在于标准 {standard.version} 版",
                    "type": "unknown_item_code",
                }
            )
        elif (
            applies_because(item.rule, sector=enterprise.sector, features=enterprise.features)
            is None
        ):
            bad_codes.append(code)
            bad.append(
                {
                    "loc": where,
                    "msg": f"条目 {code} 不适用于该企业（行业 {enterprise.sector}，"
                    f"风险特征 {', '.join(enterprise.features) or '无'}）",
                    "type": "item_not_applicable",
                }
            )
    if bad:
        codes = ", ".join(bad_codes)
        raise Unprocessable(
            f"以下判定标准条目无效或不适用于该企业：{codes}",
            f"Item codes unknown or not applicable to this enterprise: {codes}",
            code="invalid_item_codes",
            extra={"errors": bad, "item_codes": bad_codes},
        )
    order = {item.code: n for n, item in enumerate(standard.items)}
    return sorted(set(item_codes), key=order.__getitem__)


def determine(
    *,
    actor: Actor | None,
    enterprise: Enterprise,
    item_codes: list[str] | None,
    requested_level: HazardLevel | None = None,
    level_reason: str | None = None,
    device_failed: bool = False,
    standard: StandardVersion | None = None,
) -> Determination:
    """The level and basis for a hazard citing `item_codes` (see module doc)."""
    standard = standard or current_standard()
    codes = check_item_codes(standard, enterprise, item_codes or [], loc="item_codes")
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
        raise Unprocessable(
            "第十四条须与所依赖的判定条目一同引用",
            "Article 14 needs an item",
            code="article14_needs_item",
            field=["body", "device_failed"],
        )
    if requested_level == HazardLevel.major:
        if actor is None or not actor.is_street_office:
            raise Forbidden(
                "只有街道安委办可以不依据条目认定重大事故隐患",
                "Only the street office may determine major without items",
                code="manual_major_forbidden",
            )
        if not level_reason or not level_reason.strip():
            raise Unprocessable(
                "人工认定重大事故隐患须填写理由 level_reason",
                "level_reason is required",
                code="level_reason_required",
                field=["body", "level_reason"],
            )
        return Determination(HazardLevel.major, Basis(None, [], [], level_reason.strip()))
    return Determination(HazardLevel.general, Basis(None, [], [], None))
