"""The permit rules as versioned data (permits.md §8): every number with its citation.

GB 30871-2022 binds only chemical enterprises (its §1), so for 工贸 its numbers are defaults a
jurisdiction may change; 13号令 is binding and stricter in two places (arts 7 and 15), which
the defaults follow. Tags as in permits.md: [C] confirmed in the source, [U] unconfirmed,
[D] a design choice. A change of any value is a new `version`, recorded on each permit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from app.rules.permits.kinds import EnterpriseRole as R
from app.rules.permits.kinds import HeightGrade, HotGrade, PermitType


@dataclass(frozen=True)
class GasData:
    """One gas the server can judge. `lel_vol_pct`: lower explosive limit in % v/v (None: not
    flammable); `toxic_limit_mg_m3`: the GBZ 2.1 limit used for entry (MAC, else PC-STEL)."""

    name: str
    molar_mass: float
    lel_vol_pct: float | None = None
    toxic_limit_mg_m3: float | None = None
    toxic_limit_kind: str | None = None  # "MAC" | "PC-STEL"
    # Whether a space holding this gas counts as an art. 7 / 第10号令 第十三条 poisoning risk.
    poisoning_risk: bool = False


# LELs are handbook values (GB 30871 5.3.2 needs only "≥ 4 %" or not). Toxic limits are
# GBZ 2.1-2019 values as commonly quoted — permits.md §8 marks them [U] until sourced.
DEFAULT_GASES: dict[str, GasData] = {
    "O2": GasData("氧气", 32.00),
    "CH4": GasData("甲烷", 16.04, lel_vol_pct=5.0),
    "C3H8": GasData("丙烷", 44.10, lel_vol_pct=2.1),
    "H2": GasData("氢气", 2.016, lel_vol_pct=4.0),
    "C2H2": GasData("乙炔", 26.04, lel_vol_pct=2.5),
    "H2S": GasData("硫化氢", 34.08, 4.0, 10.0, "MAC", poisoning_risk=True),
    "CO": GasData("一氧化碳", 28.01, 12.5, 30.0, "PC-STEL", poisoning_risk=True),
    "CO2": GasData("二氧化碳", 44.01, None, 18000.0, "PC-STEL", poisoning_risk=True),
    "NH3": GasData("氨", 17.03, 15.0, 30.0, "PC-STEL"),
    "CL2": GasData("氯气", 70.90, None, 1.0, "MAC"),
}

H = timedelta(hours=1)
M = timedelta(minutes=1)

# GB 30871-2022 B.1 (approval levels), mapped to enterprise duties [D: permits.md §8];
# key (type, grade or "") → duties any one of whom may approve. A higher duty may always
# approve a lower step [D].
DEFAULT_APPROVERS: dict[tuple[str, str], tuple[R, ...]] = {
    (PermitType.hot_work, HotGrade.special): (R.principal,),  # 主管领导
    (PermitType.hot_work, HotGrade.level1): (R.safety_manager,),  # 安全管理部门
    (PermitType.hot_work, HotGrade.level2): (R.dept_head,),  # 所在基层单位
    (PermitType.confined_space, ""): (R.dept_head,),  # 所在基层单位
    (PermitType.work_at_height, HeightGrade.I): (R.dept_head,),  # 所在基层单位
    (PermitType.work_at_height, HeightGrade.II): (R.dept_head,),  # 所在单位专业部门
    (PermitType.work_at_height, HeightGrade.III): (R.dept_head,),  # 所在单位专业部门
    (PermitType.work_at_height, HeightGrade.IV): (R.chief_engineer,),  # 主管厂长或总工程师
}


@dataclass(frozen=True)
class PermitRules:
    version: str = "gb30871-2022+mem13-2024/v1"
    # Validity caps. GB 30871 5.1.5 (hot 8 h / 8 h / 72 h), 6.10 (confined 24 h), 8.2.11
    # (height 7 d) [C]. A permit is never extended past its cap: re-issue (GB 4.16).
    validity: dict[tuple[str, str], timedelta] = field(
        default_factory=lambda: {
            (PermitType.hot_work, HotGrade.special): 8 * H,
            (PermitType.hot_work, HotGrade.level1): 8 * H,
            (PermitType.hot_work, HotGrade.level2): 72 * H,
            (PermitType.confined_space, ""): 24 * H,
            (PermitType.work_at_height, ""): 7 * 24 * H,
        }
    )
    # Sample → start ≤ 30 min: GB 30871 5.3.1c (hot), 6.3a (confined) [C].
    pretest_max_age: timedelta = 30 * M
    # Re-test after an interruption longer than this (None: after any interruption).
    # Hot: GB 5.3.1d >30 min (特级/一级), >60 min (二级) [C]; confined: 13号令 art. 15 —
    # after *any* interruption (GB 6.3f says >60 min; 工贸 follows the stricter rule) [C].
    retest_gap: dict[tuple[str, str], timedelta | None] = field(
        default_factory=lambda: {
            (PermitType.hot_work, HotGrade.special): 30 * M,
            (PermitType.hot_work, HotGrade.level1): 30 * M,
            (PermitType.hot_work, HotGrade.level2): 60 * M,
            (PermitType.confined_space, ""): None,
        }
    )
    # O2 pass band for confined spaces, % v/v: GB 30871 6.4a / table A.2 [C].
    oxygen_min: float = 19.5
    oxygen_max: float = 21.0
    # O2 ceiling for hot work on oxygen equipment: GB 30871 5.2.7 [C].
    oxygen_max_hot_work: float = 23.5
    # Flammables: GB 30871 5.3.2 [C] — ≤0.5 % v/v when the gas's LEL ≥ 4 %, else ≤0.2 % v/v.
    flammable_lel_threshold: float = 4.0
    flammable_limit_high_lel: float = 0.5
    flammable_limit_low_lel: float = 0.2
    # ppm ↔ mg/m³ at 25 ℃, 101.325 kPa (molar volume 24.45 L) [D].
    molar_volume_l: float = 24.45
    gases: dict[str, GasData] = field(default_factory=lambda: dict(DEFAULT_GASES))
    approvers: dict[tuple[str, str], tuple[R, ...]] = field(
        default_factory=lambda: dict(DEFAULT_APPROVERS)
    )
    # Holiday / rest-day / night hot work is 升级管理 (GB 30871 5.1.1) [C]; "+1 grade" is
    # the default reading [U].
    hot_work_upgrade_steps: int = 1
    # Minimum guardians checked in at start: GB 30871 6.8b, 13号令 art. 5 [C].
    min_guardians: int = 1
    # Wind stop (Beaufort force): outdoor hot work (GB 30871-2022 5.2.15) and work at height
    # (8.2.6) stop at force 5 or more [C].
    wind_stop_force: int = 5
    # Hot work is gas-tested every day before work (GB 30871-2022 5.3.1d) [C]: a test of an
    # earlier day (Asia/Shanghai) does not cover resuming today.
    hot_work_daily_test: bool = True
    # Fire watches (监火人) checked in before hot work starts: 专人监护, GB 30871-2022 5.2.1 [C].
    min_fire_watches: int = 1


DEFAULT_RULES = PermitRules()
