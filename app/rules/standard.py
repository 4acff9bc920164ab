"""《工贸企业重大事故隐患判定标准》(应急管理部令第10号) as versioned data.

The items, their applicability and their texts live in `app/reference/hazard-standard.yaml`;
this module only loads, validates and queries them. Applicability is data (`ApplicabilityRule`),
never a branch per item, so a revised standard is a new YAML file, not new code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from app.rules.enterprise_kinds import Feature, Sector

# The packaged copy (pyproject package-data), so the app also runs from an installed wheel.
DEFAULT_STANDARD_PATH = (
    Path(__file__).resolve().parent.parent / "reference" / "hazard-standard.yaml"
)

ARTICLE_14 = 14
"""第十四条: 本标准所列情形中直接关系生产安全的监控、报警、防护等设施、设备、装置，应当保证
正常运行、使用，失效或者无效均判定为重大事故隐患。

Article 14 is not an item of its own. When a monitoring, alarm or protective device that an
item relies on exists but has failed or does not work, the situation counts as that item's
major hazard; record the item code and cite article 14 alongside it.
"""

RuleKind = Literal["all", "sector", "feature"]
_RULE_KINDS: tuple[RuleKind, ...] = ("all", "sector", "feature")
_TEXT_VERIFIED = frozenset({"yes", "partial", "no"})
_GROUPS = frozenset({"general", "sector", "special"})


@dataclass(frozen=True, slots=True)
class ApplicabilityRule:
    """Which enterprises an item applies to: every one, one sector, or one risk feature."""

    kind: RuleKind
    value: str | None  # None for "all"; the Sector / Feature value otherwise


@dataclass(frozen=True, slots=True)
class StandardItem:
    code: str  # "<article>.<item>", e.g. "3.2" = 第三条第（二）项
    article: int
    item: int
    article_label: str  # 第三条
    group: str  # general 管理类 | sector 行业类 | special 专项类
    sector: str | None
    sub_sector: str | None
    rule: ApplicabilityRule
    text: str
    summary_en: str
    text_verified: str  # yes | partial | no
    source: str
    scope_note: str | None = None
    rule_hint: str | None = None


@dataclass(frozen=True, slots=True)
class NonItemArticle:
    article: int
    article_label: str
    text: str
    summary_en: str
    text_verified: str
    source: str


@dataclass(frozen=True, slots=True)
class StandardVersion:
    version: str
    title: str
    instrument: str
    effective: date
    items: tuple[StandardItem, ...]
    non_item_articles: tuple[NonItemArticle, ...]


def _fail(where: str, message: str) -> ValueError:
    return ValueError(f"hazard standard {where}: {message}")


def _str(raw: Mapping[str, Any], key: str, where: str) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or not value:
        raise _fail(where, f"'{key}' must be a non-empty string, got {value!r}")
    return value


def _opt_str(raw: Mapping[str, Any], key: str, where: str) -> str | None:
    return None if raw.get(key) is None else _str(raw, key, where)


def _int(raw: Mapping[str, Any], key: str, where: str) -> int:
    value = raw.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _fail(where, f"'{key}' must be an integer, got {value!r}")
    return value


def _parse_rule(raw: Any, where: str) -> ApplicabilityRule:
    if not isinstance(raw, dict) or len(raw) != 1:
        raise _fail(where, "'applies_when' must have exactly one of all / sector / feature")
    ((kind, value),) = raw.items()
    if kind == "all" and value is True:
        return ApplicabilityRule("all", None)
    if kind == "sector" and value in {s.value for s in Sector}:
        return ApplicabilityRule("sector", value)
    if kind == "feature" and value in {f.value for f in Feature}:
        return ApplicabilityRule("feature", value)
    raise _fail(where, f"unknown applies_when {kind}: {value!r}")


def _parse_item(raw: Any, index: int) -> StandardItem:
    if not isinstance(raw, dict):
        raise _fail(f"items[{index}]", "must be a mapping")
    where = f"item {raw.get('code', f'#{index}')!s}"
    item = StandardItem(
        code=_str(raw, "code", where),
        article=_int(raw, "article", where),
        item=_int(raw, "item", where),
        article_label=_str(raw, "article_label", where),
        group=_str(raw, "group", where),
        sector=_opt_str(raw, "sector", where),
        sub_sector=_opt_str(raw, "sub_sector", where),
        rule=_parse_rule(raw.get("applies_when"), where),
        text=_str(raw, "text", where),
        summary_en=_str(raw, "summary_en", where),
        text_verified=_str(raw, "text_verified", where),
        source=_str(raw, "source", where),
        scope_note=_opt_str(raw, "scope_note", where),
        rule_hint=_opt_str(raw, "rule_hint", where),
    )
    _check_item(item, where)
    # Some items repeat their feature in a top-level `feature` key; it must agree.
    if raw.get("feature") is not None and raw["feature"] != item.rule.value:
        raise _fail(where, "'feature' disagrees with applies_when")
    return item


def _check_item(item: StandardItem, where: str) -> None:
    if item.code != f"{item.article}.{item.item}":
        raise _fail(where, f"code must equal '<article>.<item>' = '{item.article}.{item.item}'")
    if item.group not in _GROUPS:
        raise _fail(where, f"unknown group {item.group!r}")
    if item.text_verified not in _TEXT_VERIFIED:
        raise _fail(where, f"text_verified must be one of {sorted(_TEXT_VERIFIED)}")
    # A sector item must apply by exactly its own sector, or it would leak into other sectors.
    if item.group == "sector" and item.rule != ApplicabilityRule("sector", item.sector):
        raise _fail(where, "a sector item must have applies_when.sector equal to its sector")


def _parse_article(raw: Any, index: int) -> NonItemArticle:
    if not isinstance(raw, dict):
        raise _fail(f"non_item_articles[{index}]", "must be a mapping")
    where = f"article {raw.get('article', f'#{index}')!s}"
    return NonItemArticle(
        article=_int(raw, "article", where),
        article_label=_str(raw, "article_label", where),
        text=_str(raw, "text", where),
        summary_en=_str(raw, "summary_en", where),
        text_verified=_str(raw, "text_verified", where),
        source=_str(raw, "source", where),
    )


def _count_key(item: StandardItem) -> str:
    # `counts` in the YAML is keyed "general", then by sector, then by feature (专项类).
    if item.group == "general":
        return "general"
    return item.rule.value or item.group


def _check_totals(head: Mapping[str, Any], items: tuple[StandardItem, ...]) -> None:
    codes = Counter(i.code for i in items)
    dupes = sorted(c for c, n in codes.items() if n > 1)
    if dupes:
        raise _fail("items", f"duplicate codes {dupes}")
    declared = _int(head, "items", "standard")
    if declared != len(items):
        raise _fail("items", f"declares {declared} items but lists {len(items)}")
    counts = head.get("counts")
    if not isinstance(counts, dict):
        raise _fail("standard", "'counts' must be a mapping")
    actual = dict(Counter(_count_key(i) for i in items))
    if actual != counts:
        raise _fail("counts", f"declared {counts} but items give {actual}")


def _parse_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise _fail(where, f"'effective' is not an ISO date: {value!r}") from exc


def parse_standard(data: Any) -> StandardVersion:
    """Build and validate a StandardVersion from the loaded YAML document."""
    if not isinstance(data, dict) or not isinstance(data.get("standard"), dict):
        raise _fail("document", "top level must be a mapping with a 'standard' block")
    head = cast(dict[str, Any], data["standard"])
    raw_items = data.get("items")
    if not isinstance(raw_items, list):
        raise _fail("document", "'items' must be a list")
    items = tuple(_parse_item(raw, n) for n, raw in enumerate(raw_items))
    _check_totals(head, items)
    articles = data.get("non_item_articles") or []
    if not isinstance(articles, list):
        raise _fail("document", "'non_item_articles' must be a list")
    return StandardVersion(
        version=_str(head, "version", "standard"),
        title=_str(head, "title", "standard"),
        instrument=_str(head, "instrument", "standard"),
        effective=_parse_date(head.get("effective"), "standard"),
        items=tuple(sorted(items, key=_code_key)),
        non_item_articles=tuple(_parse_article(raw, n) for n, raw in enumerate(articles)),
    )


@lru_cache(maxsize=1)
def _load_default() -> StandardVersion:
    return _load(DEFAULT_STANDARD_PATH)


def _load(path: Path) -> StandardVersion:
    with path.open(encoding="utf-8") as fh:
        return parse_standard(yaml.safe_load(fh))


def load_standard(path: Path | None = None) -> StandardVersion:
    """Load and validate a standard version; default is the packaged 2023 version (cached).

    Raises ValueError with the offending item/field when the file is inconsistent.
    """
    return _load_default() if path is None else _load(path)


def _code_key(item: StandardItem) -> tuple[int, int]:
    # Numeric order: 3.2 < 3.10 < 4.1 (string order would put 3.10 before 3.2).
    return item.article, item.item


def applies_because(rule: ApplicabilityRule, *, sector: str, features: Iterable[str]) -> str | None:
    """Why an item applies to an enterprise: "general", "sector:<s>", "feature:<f>", or None."""
    if rule.kind == "all":
        return "general"
    if rule.kind == "sector":
        return f"sector:{sector}" if rule.value == sector else None
    if rule.value is not None and rule.value in set(features):
        return f"feature:{rule.value}"
    return None


def applicable_items(
    version: StandardVersion, *, sector: str, features: Iterable[str]
) -> list[tuple[StandardItem, str]]:
    """The items that apply to an enterprise, in code order, each with its `applies_because`."""
    feature_set = frozenset(features)
    result: list[tuple[StandardItem, str]] = []
    for item in sorted(version.items, key=_code_key):
        reason = applies_because(item.rule, sector=sector, features=feature_set)
        if reason is not None:
            result.append((item, reason))
    return result


def find_item(version: StandardVersion, code: str) -> StandardItem | None:
    """The item with `code` ("3.2"), or None if the version has no such item."""
    return next((i for i in version.items if i.code == code), None)
