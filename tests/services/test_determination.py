"""How a hazard's level is decided (brief §7, 应急管理部令第10号): table-driven, no database."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.core.errors import Forbidden, Unprocessable
from app.models.enterprise import Enterprise
from app.models.user import Role
from app.rules.standard import ARTICLE_14, StandardVersion, load_standard
from app.services.determination import (
    Basis,
    HazardLevel,
    check_item_codes,
    current_standard,
    determine,
)
from app.services.policy import Actor

STD = load_standard()


def ent(sector: str = "machinery", features: list[str] | None = None) -> Enterprise:
    return Enterprise(id=uuid.uuid4(), name="E", sector=sector, features=features or [])


def actor(role: Role) -> Actor:
    return Actor(user_id=uuid.uuid4(), username=role.value, role=role)


OFFICE, HEAD, GRID = actor(Role.street_office), actor(Role.enterprise_head), actor(Role.grid_staff)


@pytest.mark.parametrize(
    ("sector", "features", "codes", "sorted_codes"),
    [
        ("commerce", [], ["3.2", "3.1"], ["3.1", "3.2"]),
        ("machinery", [], ["7.7", "3.1", "7.1"], ["3.1", "7.1", "7.7"]),
        ("nonferrous", [], ["5.10", "5.9", "5.9"], ["5.9", "5.10"]),  # numeric order, deduped
        ("tobacco", ["dust_explosion"], ["11.10", "10.2", "11.2"], ["10.2", "11.2", "11.10"]),
        ("commerce", ["metal_smelting"], ["3.3"], ["3.3"]),
        (
            "textile",
            ["confined_space", "ammonia_refrigeration"],
            ["13.1", "12.2"],
            ["12.2", "13.1"],
        ),
        ("light_industry", [], [], []),
    ],
)
def test_check_item_codes_accepts_applicable(
    sector: str, features: list[str], codes: list[str], sorted_codes: list[str]
) -> None:
    assert check_item_codes(STD, ent(sector, features), codes, loc="item_codes") == sorted_codes


@pytest.mark.parametrize(
    ("sector", "features", "codes", "bad", "types"),
    [
        ("tobacco", [], ["10.1", "4.1"], ["4.1"], ["item_not_applicable"]),
        ("commerce", [], ["3.3"], ["3.3"], ["item_not_applicable"]),  # 3.3 is metal smelting only
        ("machinery", [], ["11.1"], ["11.1"], ["item_not_applicable"]),  # needs dust_explosion
        ("machinery", [], ["8.6"], ["8.6"], ["item_not_applicable"]),  # light industry's paint room
        ("machinery", [], ["3.4", "14.1"], ["3.4", "14.1"], ["unknown_item_code"] * 2),
        ("machinery", [], ["x", "7.1", "9.9"], ["x", "9.9"], ["unknown_item_code"] * 2),
        ("textile", ["hazardous_chemicals"], ["3.1", "6.1"], ["6.1"], ["item_not_applicable"]),
    ],
)
def test_check_item_codes_names_each_bad_code(
    sector: str, features: list[str], codes: list[str], bad: list[str], types: list[str]
) -> None:
    with pytest.raises(Unprocessable) as exc:
        check_item_codes(STD, ent(sector, features), codes, loc="item_codes")
    err = exc.value
    assert err.code == "invalid_item_codes"
    assert err.extra["item_codes"] == bad
    assert [e["type"] for e in err.extra["errors"]] == types
    assert [e["loc"] for e in err.extra["errors"]] == [
        ["body", "item_codes", codes.index(c)] for c in bad
    ]
    for code in bad:
        assert code in err.detail_zh


def test_check_item_codes_loc_inside_a_list_of_objects() -> None:
    with pytest.raises(Unprocessable) as exc:
        check_item_codes(
            STD, ent("tobacco"), ["10.1", "4.1"], loc="responses", item_field="item_code"
        )
    assert exc.value.extra["errors"][0]["loc"] == ["body", "responses", 1, "item_code"]


def _basis(**kw: Any) -> dict[str, Any]:
    return Basis(**kw).as_json()


@pytest.mark.parametrize(
    ("who", "sector", "features", "kwargs", "level", "basis"),
    [
        (
            GRID,
            "machinery",
            [],
            {"item_codes": ["7.2"]},
            "major",
            _basis(standard_version="2023", item_codes=["7.2"], articles=[7]),
        ),
        (
            HEAD,
            "machinery",
            ["dust_explosion"],
            {"item_codes": ["11.3", "3.1"]},
            "major",
            _basis(standard_version="2023", item_codes=["3.1", "11.3"], articles=[3, 11]),
        ),
        # 第十四条: the failed alarm of item 5.11 — the basis cites the item and article 14.
        (
            GRID,
            "nonferrous",
            [],
            {"item_codes": ["5.11"], "device_failed": True},
            "major",
            _basis(
                standard_version="2023",
                item_codes=["5.11"],
                articles=[5, ARTICLE_14],
                device_failed=True,
            ),
        ),
        (HEAD, "commerce", [], {"item_codes": None}, "general", _basis(standard_version=None)),
        (HEAD, "commerce", [], {"item_codes": []}, "general", _basis(standard_version=None)),
        # Asking for general with items is not a way round the standard: items decide.
        (
            OFFICE,
            "tobacco",
            [],
            {"item_codes": ["10.1"], "requested_level": HazardLevel.general},
            "major",
            _basis(standard_version="2023", item_codes=["10.1"], articles=[10]),
        ),
        (
            OFFICE,
            "commerce",
            [],
            {"requested_level": HazardLevel.major, "level_reason": "  燃气管道，依燃气领域标准  "},
            "major",
            _basis(standard_version=None, manual_reason="燃气管道，依燃气领域标准"),
        ),
        (
            GRID,
            "commerce",
            [],
            {"requested_level": HazardLevel.general},
            "general",
            _basis(standard_version=None),
        ),
    ],
)
def test_determine(
    who: Actor,
    sector: str,
    features: list[str],
    kwargs: dict[str, Any],
    level: str,
    basis: dict[str, Any],
) -> None:
    kwargs.setdefault("item_codes", None)
    got = determine(actor=who, enterprise=ent(sector, features), **kwargs)
    assert got.level == level
    assert got.basis.as_json() == basis


@pytest.mark.parametrize(
    ("who", "kwargs", "error", "code"),
    [
        (
            HEAD,
            {"requested_level": HazardLevel.major, "level_reason": "x"},
            Forbidden,
            "manual_major_forbidden",
        ),
        (
            GRID,
            {"requested_level": HazardLevel.major, "level_reason": "x"},
            Forbidden,
            "manual_major_forbidden",
        ),
        (
            None,
            {"requested_level": HazardLevel.major, "level_reason": "x"},
            Forbidden,
            "manual_major_forbidden",
        ),
        (OFFICE, {"requested_level": HazardLevel.major}, Unprocessable, "level_reason_required"),
        (
            OFFICE,
            {"requested_level": HazardLevel.major, "level_reason": "   "},
            Unprocessable,
            "level_reason_required",
        ),
        (OFFICE, {"device_failed": True}, Unprocessable, "article14_needs_item"),
        (OFFICE, {"item_codes": ["4.1"]}, Unprocessable, "invalid_item_codes"),
    ],
)
def test_determine_refuses(
    who: Actor | None, kwargs: dict[str, Any], error: type[Exception], code: str
) -> None:
    kwargs.setdefault("item_codes", None)
    with pytest.raises(error) as exc:
        determine(actor=who, enterprise=ent("commerce"), **kwargs)
    assert getattr(exc.value, "code", None) == code


def test_determine_uses_the_version_given() -> None:
    items = tuple(i for i in STD.items if i.code != "7.2")
    v2 = StandardVersion("2099", STD.title, STD.instrument, STD.effective, items, ())
    got = determine(actor=GRID, enterprise=ent(), item_codes=["7.1"], standard=v2)
    assert got.basis.standard_version == "2099"
    with pytest.raises(Unprocessable):
        determine(actor=GRID, enterprise=ent(), item_codes=["7.2"], standard=v2)


def test_default_version_is_2023() -> None:
    assert current_standard().version == "2023"
