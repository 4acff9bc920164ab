"""How a hazard's level is decided (brief §7, 应急管理部令第10号): the rules are in
`app/rules/determination.py`; this service picks the standard version and turns the rules'
refusals and item errors into problem responses (422 naming each bad code, 403, 422).

Which version decides: callers that hold a session pass `standard=await
standards.current(session)` (the database's current version). Without it, the current version
last read from the database in this process is used, and before any such read the packaged
YAML — the very file the data migration loads as version 2023 — so all three agree.
"""

from __future__ import annotations

from typing import Any

from app.core.errors import AppError, Forbidden, Unprocessable
from app.models.enterprise import Enterprise
from app.rules.determination import (
    Basis,
    Determination,
    DeterminationRefusal,
    ItemError,
    decide,
    in_standard_order,
    item_code_errors,
)
from app.rules.levels import HazardLevel
from app.rules.standard import StandardVersion, load_standard
from app.services.policy import Actor
from app.services.standards import cached_current

__all__ = [
    "Basis",
    "Determination",
    "HazardLevel",
    "check_item_codes",
    "current_standard",
    "determine",
]


def current_standard() -> StandardVersion:
    """The version new determinations use when the caller passes none (see module doc)."""
    return cached_current() or load_standard()


def _invalid_codes(errors: list[ItemError], loc: str, item_field: str | None) -> Unprocessable:
    bad_codes = [e.code for e in errors]
    codes = ", ".join(bad_codes)
    bad: list[dict[str, Any]] = [
        {
            "loc": ["body", loc, e.index, *([item_field] if item_field else [])],
            "msg": e.msg,
            "type": e.kind,
        }
        for e in errors
    ]
    return Unprocessable(
        f"以下判定标准条目无效或不适用于该企业：{codes}",
        f"Item codes unknown or not applicable to this enterprise: {codes}",
        code="invalid_item_codes",
        extra={"errors": bad, "item_codes": bad_codes},
    )


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
    errors = item_code_errors(standard, enterprise.sector, enterprise.features, item_codes)
    if errors:
        raise _invalid_codes(errors, loc, item_field)
    return in_standard_order(standard, item_codes)


def _refusal(refusal: DeterminationRefusal) -> AppError:
    """A fresh problem per request (an exception instance keeps its traceback)."""
    if refusal is DeterminationRefusal.article14_needs_item:
        return Unprocessable(
            "第十四条须与所依赖的判定条目一同引用",
            "Article 14 needs an item",
            code="article14_needs_item",
            field=["body", "device_failed"],
        )
    if refusal is DeterminationRefusal.manual_major_forbidden:
        return Forbidden(
            "只有街道安委办可以不依据条目认定重大事故隐患",
            "Only the street office may determine major without items",
            code="manual_major_forbidden",
        )
    return Unprocessable(
        "人工认定重大事故隐患须填写理由 level_reason",
        "level_reason is required",
        code="level_reason_required",
        field=["body", "level_reason"],
    )


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
    """The level and basis for a hazard citing `item_codes` (rules/determination.py)."""
    standard = standard or current_standard()
    codes = check_item_codes(standard, enterprise, item_codes or [], loc="item_codes")
    result = decide(
        standard,
        codes,
        by_street_office=actor is not None and actor.is_street_office,
        requested_level=requested_level,
        level_reason=level_reason,
        device_failed=device_failed,
    )
    if isinstance(result, DeterminationRefusal):
        raise _refusal(result)
    return result
