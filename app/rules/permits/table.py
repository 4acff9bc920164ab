"""The permit settings a jurisdiction may set as data (permits.md §8), each with its citation
and its bounds, and the Pydantic model of the rules file that sets them.

Bounds [D]: GB 30871-2022 binds only chemical enterprises, and 13号令 sets no numbers, so for
工贸 the GB values are the only published reference. A jurisdiction may be *stricter* (a
shorter validity, a fresher gas test, a narrower O2 band, a lower flammable or toxic limit,
more guardians) but never looser: no source we hold lets a 工贸 authority extend a permit
past GB's cap (GB 4.16: continuing means a new permit), and loosening a gas limit would
pass air GB fails. A looser value needs a cited binding source and a reviewed code change.
Values the binding 13号令 fixes are not settable at all: re-testing after *any* confined
interruption (art. 15) and at least one guardian (art. 5).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.rules.permits.kinds import HotGrade, PermitType
from app.rules.permits.settings import DEFAULT_RULES, PermitRules

GB = "GB 30871-2022"
TOXIC = "GBZ 2.1-2019（数值待核对 [U]，permits.md §8）"


@dataclass(frozen=True)
class Knob:
    """One settable value: its default and citation, its unit and the range it may take."""

    default: float
    citation: str
    unit: str
    low: float
    high: float
    label: str
    integer: bool = False


def _validity(hours: float, clause: str, label: str) -> Knob:
    return Knob(hours, f"{GB} {clause}", "h", 0.5, hours, label)


def _retest(minutes: float, label: str) -> Knob:
    return Knob(minutes, f"{GB} 5.3.1d", "min", 0, minutes, label)


KNOBS: dict[str, Knob] = {
    "validity.hot_work.special": _validity(8, "5.1.5", "特级动火作业票有效期上限"),
    "validity.hot_work.level1": _validity(8, "5.1.5", "一级动火作业票有效期上限"),
    "validity.hot_work.level2": _validity(72, "5.1.5", "二级动火作业票有效期上限"),
    "validity.confined_space": _validity(24, "6.10", "受限空间作业票有效期上限"),
    "validity.work_at_height": _validity(168, "8.2.11", "高处作业票有效期上限"),
    "pretest_max_age": Knob(
        30, f"{GB} 5.3.1c、6.3a", "min", 1, 30, "作业前气体检测距开始作业的最长时间"
    ),
    "retest_gap.hot_work.special": _retest(30, "特级动火中断后须重新检测的间隔"),
    "retest_gap.hot_work.level1": _retest(30, "一级动火中断后须重新检测的间隔"),
    "retest_gap.hot_work.level2": _retest(60, "二级动火中断后须重新检测的间隔"),
    "oxygen_min": Knob(19.5, f"{GB} 6.4a", "%v/v", 19.5, 21.0, "受限空间氧含量下限"),
    "oxygen_max": Knob(21.0, f"{GB} 6.4a", "%v/v", 19.5, 21.0, "受限空间氧含量上限"),
    "oxygen_max_hot_work": Knob(23.5, f"{GB} 5.2.7", "%v/v", 19.5, 23.5, "氧气设备动火氧含量上限"),
    "flammable_limit_high_lel": Knob(
        0.5, f"{GB} 5.3.2", "%v/v", 0.01, 0.5, "爆炸下限≥4%的可燃气体合格上限"
    ),
    "flammable_limit_low_lel": Knob(
        0.2, f"{GB} 5.3.2", "%v/v", 0.01, 0.2, "爆炸下限<4%的可燃气体合格上限"
    ),
    "hot_work_upgrade_steps": Knob(
        1, f"{GB} 5.1.1（“升级管理”；升一级为 [U]）", "级", 1, 2, "节假日、夜间动火升级级数", True
    ),
    "min_guardians": Knob(
        1, f"{GB} 6.8b；应急管理部令第13号 第五条", "人", 1, 5, "开始作业时最少到场监护人数", True
    ),
}
for _code, _gas in DEFAULT_RULES.gases.items():
    if _gas.toxic_limit_mg_m3 is not None:
        KNOBS[f"toxic_limit.{_code}"] = Knob(
            _gas.toxic_limit_mg_m3,
            f"{TOXIC} {_gas.toxic_limit_kind}",
            "mg/m³",
            0.001,
            _gas.toxic_limit_mg_m3,
            f"{_gas.name}容许浓度",
        )

_H = timedelta(hours=1)
_M = timedelta(minutes=1)
_GRADES = {"special": HotGrade.special, "level1": HotGrade.level1, "level2": HotGrade.level2}


class CitedValue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    value: float
    citation: str = Field(min_length=2, max_length=200)


class PermitRulesFile(BaseModel):
    """The rules file (`ZHIBEN_PERMIT_RULES_FILE`, JSON or TOML): a version, the jurisdiction,
    and the values it changes, each with the citation that justifies it."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(pattern=r"^[A-Za-z0-9._:/+-]{1,40}$")
    jurisdiction: str = Field(min_length=1, max_length=60)
    values: dict[str, CitedValue] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _within_bounds(self) -> PermitRulesFile:
        problems = [p for key, cited in self.values.items() if (p := _problem(key, cited.value))]
        low = self.values.get("oxygen_min")
        high = self.values.get("oxygen_max")
        o2_min = low.value if low else KNOBS["oxygen_min"].default
        o2_max = high.value if high else KNOBS["oxygen_max"].default
        if o2_min >= o2_max:
            problems.append(f"oxygen_min ({o2_min}) must be below oxygen_max ({o2_max})")
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _problem(key: str, value: float) -> str | None:
    knob = KNOBS.get(key)
    if knob is None:
        return f"{key}: not a settable permit rule (settable: {', '.join(sorted(KNOBS))})"
    if knob.integer and value != int(value):
        return f"{key} = {value}: a whole number of {knob.unit}"
    if not knob.low <= value <= knob.high:
        return (
            f"{key} = {value} outside [{knob.low}, {knob.high}] {knob.unit}: a jurisdiction may "
            f"be stricter than {knob.citation}, never looser"
        )
    return None


@dataclass(frozen=True)
class RuleSet:
    """The effective rules and the cited table they came from (shown by the API)."""

    rules: PermitRules
    jurisdiction: str
    table: dict[str, dict[str, Any]]


def effective_table(file: PermitRulesFile | None) -> dict[str, dict[str, Any]]:
    """Every knob: its value and citation (the file's where it sets one), and its default."""
    values = file.values if file else {}
    out: dict[str, dict[str, Any]] = {}
    for key, knob in KNOBS.items():
        cited = values.get(key)
        out[key] = {
            "value": cited.value if cited else knob.default,
            "citation": cited.citation if cited else knob.citation,
            "default": knob.default,
            "default_citation": knob.citation,
            "unit": knob.unit,
            "label": knob.label,
        }
    return out


def _version(file: PermitRulesFile | None, table: dict[str, dict[str, Any]]) -> str:
    """The file's version plus a hash of the values, so an edit without a new version still
    stamps permits differently. No file: the default version permits already carry."""
    if file is None:
        return DEFAULT_RULES.version
    digest = hashlib.sha256(json.dumps(table, sort_keys=True).encode()).hexdigest()[:12]
    return f"{file.version}#{digest}"


def build(file: PermitRulesFile | None, jurisdiction: str = "") -> RuleSet:
    table = effective_table(file)
    return rules_from_table(
        _version(file, table), file.jurisdiction if file else jurisdiction, table
    )


def rules_from_table(version: str, jurisdiction: str, table: dict[str, dict[str, Any]]) -> RuleSet:
    """The `PermitRules` a stored table describes (how a permit is judged by its own rules)."""
    v = {key: float(row["value"]) for key, row in table.items()}
    validity = dict(DEFAULT_RULES.validity)
    retest = dict(DEFAULT_RULES.retest_gap)
    for name, grade in _GRADES.items():
        validity[(PermitType.hot_work, grade)] = v[f"validity.hot_work.{name}"] * _H
        retest[(PermitType.hot_work, grade)] = v[f"retest_gap.hot_work.{name}"] * _M
    validity[(PermitType.confined_space, "")] = v["validity.confined_space"] * _H
    validity[(PermitType.work_at_height, "")] = v["validity.work_at_height"] * _H
    gases = {
        code: replace(gas, toxic_limit_mg_m3=v.get(f"toxic_limit.{code}", gas.toxic_limit_mg_m3))
        for code, gas in DEFAULT_RULES.gases.items()
    }
    rules = replace(
        DEFAULT_RULES,
        version=version,
        validity=validity,
        retest_gap=retest,
        pretest_max_age=v["pretest_max_age"] * _M,
        oxygen_min=v["oxygen_min"],
        oxygen_max=v["oxygen_max"],
        oxygen_max_hot_work=v["oxygen_max_hot_work"],
        flammable_limit_high_lel=v["flammable_limit_high_lel"],
        flammable_limit_low_lel=v["flammable_limit_low_lel"],
        hot_work_upgrade_steps=int(v["hot_work_upgrade_steps"]),
        min_guardians=int(v["min_guardians"]),
        gases=gases,
    )
    return RuleSet(rules, jurisdiction, table)
