"""Gas readings judged server-side in declared units (GB 30871-2022 5.3.2, 6.4); a client's
own verdict is never trusted. Each verdict names the rule that judged it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from app.rules.permits.errors import RuleViolation
from app.rules.permits.kinds import PermitType
from app.rules.permits.settings import GasData, PermitRules


class GasUnit(StrEnum):
    vol_pct = "vol_pct"  # % v/v（体积分数）
    lel_pct = "lel_pct"  # % LEL（爆炸下限的百分数）
    ppm = "ppm"  # µmol/mol
    mg_m3 = "mg_m3"  # mg/m³


@dataclass(frozen=True)
class Reading:
    gas: str
    value: float
    unit: str


@dataclass(frozen=True)
class Judgement:
    gas: str
    passed: bool
    measured: float
    limit: str
    rule: str
    citation: str


def _gas(rules: PermitRules, code: str) -> GasData:
    data = rules.gases.get(code.upper())
    if data is None:
        raise RuleViolation(
            "gas_unknown",
            f"未知气体 {code}：服务器无法判定，请选用已登记的气体",
            f"Unknown gas {code}",
            citation="GB 30871-2022 5.3.2 / 6.4",
            kind="invalid",
        )
    return data


def _bad_unit(reading: Reading, allowed: str) -> RuleViolation:
    return RuleViolation(
        "gas_unit_invalid",
        f"{reading.gas} 的读数单位 {reading.unit} 无法判定（可用：{allowed}）",
        f"Unit {reading.unit} cannot be judged for {reading.gas} (allowed: {allowed})",
        citation="GB 30871-2022 5.3.2",
        kind="invalid",
    )


def to_vol_pct(reading: Reading, gas: GasData, rules: PermitRules) -> float:
    """%LEL converts with the gas's LEL: 10 % LEL of methane (LEL 5 %) is 0.5 % v/v."""
    if reading.unit == GasUnit.vol_pct:
        return reading.value
    if reading.unit == GasUnit.lel_pct and gas.lel_vol_pct is not None:
        return reading.value / 100.0 * gas.lel_vol_pct
    if reading.unit == GasUnit.ppm:
        return reading.value / 10_000.0
    if reading.unit == GasUnit.mg_m3:
        return reading.value * rules.molar_volume_l / gas.molar_mass / 10_000.0
    raise _bad_unit(reading, "vol_pct, ppm, mg_m3" + (", lel_pct" if gas.lel_vol_pct else ""))


def to_mg_m3(reading: Reading, gas: GasData, rules: PermitRules) -> float:
    return to_vol_pct(reading, gas, rules) * 10_000.0 * gas.molar_mass / rules.molar_volume_l


def _oxygen(reading: Reading, permit_type: str, rules: PermitRules) -> Judgement:
    if reading.unit != GasUnit.vol_pct:
        raise _bad_unit(reading, "vol_pct")
    v = reading.value
    if permit_type == PermitType.hot_work:
        # Hot work: only an oxygen-rich atmosphere is judged (GB 30871-2022 5.2.7).
        ok, limit, cite = v <= rules.oxygen_max_hot_work, f"≤{rules.oxygen_max_hot_work}%", "5.2.7"
    else:
        ok = rules.oxygen_min <= v <= rules.oxygen_max
        limit, cite = f"{rules.oxygen_min}–{rules.oxygen_max}%", "6.4a"
    return Judgement("O2", ok, v, limit, "oxygen", f"GB 30871-2022 {cite}")


def _flammable(reading: Reading, gas: GasData, rules: PermitRules) -> Judgement:
    assert gas.lel_vol_pct is not None
    high = gas.lel_vol_pct >= rules.flammable_lel_threshold
    limit = rules.flammable_limit_high_lel if high else rules.flammable_limit_low_lel
    vol = to_vol_pct(reading, gas, rules)
    rule = "flammable_lel_ge_4" if high else "flammable_lel_lt_4"
    return Judgement(
        reading.gas.upper(),
        vol <= limit,
        round(vol, 6),
        f"≤{limit}%v/v",
        rule,
        "GB 30871-2022 5.3.2",
    )


def _toxic(reading: Reading, gas: GasData, rules: PermitRules) -> Judgement:
    assert gas.toxic_limit_mg_m3 is not None
    mg = to_mg_m3(reading, gas, rules)
    return Judgement(
        reading.gas.upper(),
        mg <= gas.toxic_limit_mg_m3,
        round(mg, 4),
        f"≤{gas.toxic_limit_mg_m3}mg/m³ ({gas.toxic_limit_kind})",
        "toxic",
        "GB 30871-2022 6.4b; GBZ 2.1-2019",
    )


def judge_reading(reading: Reading, permit_type: str, rules: PermitRules) -> list[Judgement]:
    """Every judgement one reading gets: O2 band, flammable limit, toxic limit (a gas such as
    H2S is judged both as flammable and as toxic)."""
    if reading.unit not in GasUnit.__members__:
        raise _bad_unit(reading, ", ".join(GasUnit))
    if reading.value < 0:
        raise RuleViolation(
            "gas_value_negative",
            "气体读数不能为负",
            "Negative reading",
            citation="GB 30871-2022 5.3.2",
            kind="invalid",
        )
    gas = _gas(rules, reading.gas)
    if reading.gas.upper() == "O2":
        return [_oxygen(reading, permit_type, rules)]
    out = []
    if gas.lel_vol_pct is not None:
        out.append(_flammable(reading, gas, rules))
    if gas.toxic_limit_mg_m3 is not None:
        if reading.unit == GasUnit.lel_pct and gas.lel_vol_pct is None:
            raise _bad_unit(reading, "vol_pct, ppm, mg_m3")
        out.append(_toxic(reading, gas, rules))
    return out


def judge_test(
    readings: Iterable[Reading], permit_type: str, rules: PermitRules
) -> tuple[bool, list[Judgement]]:
    """A test passes when every judgement passes. A confined-space test must include O2
    (GB 30871-2022 table A.2 lists toxic, flammable and O2 columns)."""
    judgements = [j for r in readings for j in judge_reading(r, permit_type, rules)]
    if permit_type == PermitType.confined_space and not any(j.gas == "O2" for j in judgements):
        raise RuleViolation(
            "oxygen_reading_required",
            "有限空间气体检测须包含氧含量读数",
            "A confined-space test must include an O2 reading",
            citation="GB 30871-2022 6.4a / 表A.2",
            kind="invalid",
        )
    if not judgements:
        raise RuleViolation(
            "gas_readings_empty",
            "至少需要一项读数",
            "At least one reading",
            citation="GB 30871-2022 5.3.2",
            kind="invalid",
        )
    return all(j.passed for j in judgements), judgements
