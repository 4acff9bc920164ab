from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.rules.enterprise_kinds import (
    FEATURE_LABELS,
    SECTOR_LABELS,
    TIER_LABELS,
    Feature,
    Sector,
    Tier,
)
from app.rules.standard import (
    ARTICLE_14,
    DEFAULT_STANDARD_PATH,
    ApplicabilityRule,
    StandardVersion,
    applicable_items,
    applies_because,
    find_item,
    load_standard,
    parse_standard,
)


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    with DEFAULT_STANDARD_PATH.open(encoding="utf-8") as fh:
        data: dict[str, Any] = yaml.safe_load(fh)
    return data


@pytest.fixture(scope="module")
def std() -> StandardVersion:
    return load_standard()


def _raw_expected(raw: dict[str, Any], sector: str, features: set[str]) -> set[str]:
    """Independent reading of the YAML: which codes apply to (sector, features)."""
    out = set()
    for item in raw["items"]:
        cond = item["applies_when"]
        if (
            cond.get("all") is True
            or cond.get("sector") == sector
            or cond.get("feature") in features
        ):
            out.add(item["code"])
    return out


def test_packaged_copy_matches_shared_reference() -> None:
    shared = Path("/work/shared/reference/hazard-standard.yaml")
    if not shared.exists():
        pytest.skip("shared reference not mounted")
    assert shared.read_bytes() == DEFAULT_STANDARD_PATH.read_bytes()


def test_loads_2023_version(std: StandardVersion, raw: dict[str, Any]) -> None:
    assert std.version == "2023"
    assert std.effective.isoformat() == "2023-05-15"
    assert std.instrument == raw["standard"]["instrument"]
    assert len(std.items) == raw["standard"]["items"] == len(raw["items"])
    assert [a.article for a in std.non_item_articles] == [
        a["article"] for a in raw["non_item_articles"]
    ]
    assert load_standard() is std  # default is cached


def test_items_in_numeric_code_order(std: StandardVersion) -> None:
    codes = [i.code for i in std.items]
    assert codes.index("3.2") < codes.index("3.3") < codes.index("4.1")
    assert codes.index("5.9") < codes.index("5.10") < codes.index("6.1")
    assert codes.index("11.2") < codes.index("11.10") < codes.index("12.1")
    keys = [(i.article, i.item) for i in std.items]
    assert keys == sorted(keys)


def test_every_yaml_sector_and_feature_is_in_the_enums(raw: dict[str, Any]) -> None:
    sectors = {Sector(s) for s in (i.get("sector") for i in raw["items"]) if s}
    sectors |= {
        Sector(i["applies_when"]["sector"]) for i in raw["items"] if "sector" in i["applies_when"]
    }
    features = {
        Feature(i["applies_when"]["feature"])
        for i in raw["items"]
        if "feature" in i["applies_when"]
    }
    count_keys = set(raw["standard"]["counts"]) - {"general"}
    assert count_keys <= {s.value for s in sectors} | {f.value for f in features}
    assert Sector.COMMERCE not in sectors  # 商贸 has no sector article in 2023


def test_labels_cover_enums() -> None:
    assert set(SECTOR_LABELS) == set(Sector)
    assert set(FEATURE_LABELS) == set(Feature)
    assert set(TIER_LABELS) == set(Tier)
    assert SECTOR_LABELS[Sector.COMMERCE] == "商贸"


@pytest.mark.parametrize("sector", list(Sector))
def test_each_sector_without_features(
    std: StandardVersion, raw: dict[str, Any], sector: Sector
) -> None:
    got = applicable_items(std, sector=sector, features=[])
    assert {i.code for i, _ in got} == _raw_expected(raw, sector, set())
    for item, because in got:
        # nothing from another sector leaks in, and the reason names the real cause
        assert item.sector in (None, sector.value)
        assert because in ("general", f"sector:{sector.value}")


@pytest.mark.parametrize("feature", list(Feature))
@pytest.mark.parametrize("sector", [Sector.COMMERCE, Sector.MACHINERY])
def test_each_feature(
    std: StandardVersion, raw: dict[str, Any], sector: Sector, feature: Feature
) -> None:
    got = applicable_items(std, sector=sector, features=[feature])
    assert {i.code for i, _ in got} == _raw_expected(raw, sector, {feature.value})
    base = {i.code for i, _ in applicable_items(std, sector=sector, features=[])}
    added = {i.code for i, _ in got} - base
    assert all(b == f"feature:{feature.value}" for i, b in got if i.code in added)


def test_all_sectors_and_features_at_once(std: StandardVersion, raw: dict[str, Any]) -> None:
    features = {f.value for f in Feature}
    got = applicable_items(std, sector=Sector.NONFERROUS, features=features)
    assert [i.code for i, _ in got] == [
        i.code for i in std.items if i.code in _raw_expected(raw, "nonferrous", features)
    ]


def test_commerce_without_features_gets_general_items_only(std: StandardVersion) -> None:
    got = applicable_items(std, sector=Sector.COMMERCE, features=[])
    assert [(i.code, b) for i, b in got] == [("3.1", "general"), ("3.2", "general")]


def test_metal_smelting_adds_3_3(std: StandardVersion) -> None:
    got = applicable_items(std, sector=Sector.COMMERCE, features=[Feature.METAL_SMELTING])
    assert [(i.code, b) for i, b in got] == [
        ("3.1", "general"),
        ("3.2", "general"),
        ("3.3", "feature:metal_smelting"),
    ]


def test_features_without_items_add_nothing(std: StandardVersion) -> None:
    got = applicable_items(
        std,
        sector=Sector.TEXTILE,
        features=[Feature.HAZARDOUS_CHEMICALS, Feature.FACTORY_IN_FACTORY],
    )
    assert [i.code for i, _ in got] == ["3.1", "3.2", "9.1", "9.2"]


def test_features_accept_a_generator(std: StandardVersion) -> None:
    got = applicable_items(std, sector="commerce", features=(f for f in ["dust_explosion"]))
    assert sum(1 for _, b in got if b == "feature:dust_explosion") == 10


@pytest.mark.parametrize(
    ("rule", "sector", "features", "expected"),
    [
        (ApplicabilityRule("all", None), "commerce", [], "general"),
        (ApplicabilityRule("sector", "textile"), "textile", [], "sector:textile"),
        (ApplicabilityRule("sector", "textile"), "tobacco", ["textile"], None),
        (
            ApplicabilityRule("feature", "dust_explosion"),
            "textile",
            ["dust_explosion"],
            "feature:dust_explosion",
        ),
        (ApplicabilityRule("feature", "dust_explosion"), "dust_explosion", [], None),
        (ApplicabilityRule("feature", "confined_space"), "textile", ["dust_explosion"], None),
    ],
)
def test_applies_because(
    rule: ApplicabilityRule, sector: str, features: list[str], expected: str | None
) -> None:
    assert applies_because(rule, sector=sector, features=features) == expected


def test_find_item(std: StandardVersion) -> None:
    item = find_item(std, "3.2")
    assert item is not None
    assert (item.article, item.item, item.article_label) == (3, 2, "第三条")
    assert find_item(std, "3.4") is None
    assert find_item(std, "99.1") is None


def test_item_fields(std: StandardVersion) -> None:
    item = find_item(std, "13.1")
    assert item is not None
    assert item.rule == ApplicabilityRule("feature", "confined_space")
    assert item.group == "special"
    assert item.rule_hint is not None
    assert item.scope_note is not None
    assert all(i.text_verified in ("yes", "partial", "no") for i in std.items)


def test_article_14() -> None:
    assert ARTICLE_14 == 14
    std = load_standard()
    assert 14 in {a.article for a in std.non_item_articles}
    assert all(i.article != ARTICLE_14 for i in std.items)


# --- validation on corrupted copies ---------------------------------------------------------


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "standard.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _item(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(i for i in data["items"] if i["code"] == code)


def test_round_trip_copy_loads(tmp_path: Path, raw: dict[str, Any]) -> None:
    assert load_standard(_write(tmp_path, raw)) == load_standard()


def _dup(d: dict[str, Any]) -> None:
    d["items"].append(copy.deepcopy(d["items"][0]))
    d["standard"]["items"] += 1
    d["standard"]["counts"]["general"] += 1


def _bad_code(d: dict[str, Any]) -> None:
    _item(d, "4.2")["code"] = "4.20"


def _missing_item(d: dict[str, Any]) -> None:
    d["items"] = [i for i in d["items"] if i["code"] != "13.2"]


def _wrong_group_count(d: dict[str, Any]) -> None:
    _item(d, "9.1")["sector"] = "tobacco"
    _item(d, "9.1")["applies_when"] = {"sector": "tobacco"}


def _unknown_sector(d: dict[str, Any]) -> None:
    _item(d, "10.1")["applies_when"] = {"sector": "shipbuilding"}


def _two_conditions(d: dict[str, Any]) -> None:
    _item(d, "3.1")["applies_when"] = {"all": True, "sector": "textile"}


def _sector_mismatch(d: dict[str, Any]) -> None:
    _item(d, "9.1")["applies_when"] = {"sector": "tobacco"}


def _bad_verified(d: dict[str, Any]) -> None:
    _item(d, "3.1")["text_verified"] = True


def _bad_date(d: dict[str, Any]) -> None:
    d["standard"]["effective"] = "15 May 2023"


def _no_text(d: dict[str, Any]) -> None:
    del _item(d, "3.2")["text"]


@pytest.mark.parametrize(
    ("corrupt", "message"),
    [
        (_dup, "duplicate codes"),
        (_bad_code, "code must equal"),
        (_missing_item, "declares 64 items but lists 63"),
        (_wrong_group_count, "counts"),
        (_unknown_sector, "unknown applies_when"),
        (_two_conditions, "exactly one"),
        (_sector_mismatch, "sector item"),
        (_bad_verified, "text_verified"),
        (_bad_date, "ISO date"),
        (_no_text, "'text'"),
    ],
)
def test_corrupted_copy_rejected(
    tmp_path: Path, raw: dict[str, Any], corrupt: Any, message: str
) -> None:
    data = copy.deepcopy(raw)
    corrupt(data)
    with pytest.raises(ValueError, match=message):
        load_standard(_write(tmp_path, data))


@pytest.mark.parametrize("doc", [None, [], {"items": []}, {"standard": {}, "items": {}}])
def test_malformed_document(doc: Any) -> None:
    with pytest.raises(ValueError, match="hazard standard"):
        parse_standard(doc)
