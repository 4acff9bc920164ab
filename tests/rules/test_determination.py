"""The pure determination rules (应急管理部令第10号, brief §7), without the service's errors."""

from __future__ import annotations

from app.rules.determination import (
    Basis,
    Determination,
    DeterminationRefusal,
    decide,
    in_standard_order,
    item_code_errors,
)
from app.rules.levels import HazardLevel
from app.rules.standard import load_standard

STD = load_standard()
MAJOR = HazardLevel.major


def test_items_make_major_with_articles_and_article_14() -> None:
    got = decide(STD, ["3.1"], by_street_office=False, device_failed=True)
    assert got == Determination(MAJOR, Basis(STD.version, ["3.1"], [3, 14], None, True))


def test_no_items() -> None:
    general = Determination(HazardLevel.general, Basis(None, [], [], None))
    assert decide(STD, [], by_street_office=False) == general
    assert decide(STD, [], by_street_office=False, device_failed=True) == (
        DeterminationRefusal.article14_needs_item
    )
    assert decide(
        STD, [], by_street_office=False, requested_level=MAJOR, level_reason="第二条"
    ) == (DeterminationRefusal.manual_major_forbidden)
    assert decide(STD, [], by_street_office=True, requested_level=MAJOR) == (
        DeterminationRefusal.level_reason_required
    )
    assert decide(
        STD, [], by_street_office=True, requested_level=MAJOR, level_reason=" 第二条 "
    ) == Determination(MAJOR, Basis(None, [], [], "第二条"))


def test_item_errors_and_order() -> None:
    errors = item_code_errors(STD, "commerce", [], ["3.1", "99.9"])
    assert [(e.index, e.code, e.kind) for e in errors] == [(1, "99.9", "unknown_item_code")]
    assert errors[0].msg == f"条目 99.9 不存在于标准 {STD.version} 版"
    assert in_standard_order(STD, ["3.2", "3.1", "3.2"]) == ["3.1", "3.2"]
