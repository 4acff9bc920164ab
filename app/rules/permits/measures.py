"""The safety-measure catalogues (安全措施) a permit's measures are confirmed against.

GB 30871-2022 tables A.1 (动火, 16 measures), A.2 (受限空间, 15) and A.4 (高处, 15) print
the forms' lists, but the forms' own wording was not at hand (permits.md §2 lists their
fields, not their measures). Shipped here: only measures whose requirement is written in the
standard's body or in 13号令, each with its clause; the codes name the clause, not the form's
row number. When the forms' text is sourced, their rows join these lists as data.

`mandatory`: the clause requires it of every permit of the type, so it must be answered
"involved" and confirmed by a named person; the others are answered yes/no ("是否涉及").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from app.rules.permits.errors import RuleViolation
from app.rules.permits.kinds import PermitType

GB = "GB 30871-2022 "
M13 = "应急管理部令第13号 "


@dataclass(frozen=True)
class MeasureItem:
    code: str
    text: str
    citation: str
    mandatory: bool


def _m(code: str, text: str, citation: str, mandatory: bool = True) -> MeasureItem:
    return MeasureItem(code, text, citation, mandatory)


CATALOGUES: dict[str, tuple[MeasureItem, ...]] = {
    PermitType.hot_work: (
        _m("H-4.4", "作业前进行安全交底", GB + "4.4"),
        _m("H-4.9", "动火人持有效的特种作业操作证", GB + "4.9；消防法 第二十一条"),
        _m("H-5.2.1a", "动火作业设专人监护（监火人）", GB + "5.2.1"),
        _m("H-5.2.1b", "清除动火现场及周围的易燃物品，或采取其他有效安全防火措施", GB + "5.2.1"),
        _m("H-5.2.1c", "配备消防器材，满足作业现场应急需求", GB + "5.2.1"),
        _m(
            "H-5.2.2",
            "设备设施与生产系统彻底断开或隔离，不以水封或仅关闭阀门代替盲板",
            GB + "5.2.2",
            mandatory=False,
        ),
        _m(
            "H-5.2.3",
            "拆除管线前查明内部介质危险特性、工艺条件及走向，制定安全防护措施",
            GB + "5.2.3",
            mandatory=False,
        ),
        _m(
            "H-5.2.4a",
            "动火点周围或下方的可燃物、电缆桥架、孔洞、窨井、地沟等已清理或封盖",
            GB + "5.2.4",
            mandatory=False,
        ),
        _m(
            "H-5.2.4b",
            "动火点周围 15 m 内可能泄漏易燃、可燃物料的设备设施已隔离",
            GB + "5.2.4",
            mandatory=False,
        ),
        _m("H-5.3.1", "动火分析合格，采样点有代表性，采样后 30 min 内动火", GB + "5.3.1"),
        _m("H-5.2.14", "作业完毕清理现场，确认无残留火种后方可离开", GB + "5.2.14"),
    ),
    PermitType.confined_space: (
        _m("C-4.4", "作业前进行安全交底", GB + "4.4；" + M13 + "第十四条"),
        _m(
            "C-6.1a",
            "与受限空间连通的管道用盲板或拆除一段管道隔绝，不以水封或关闭阀门代替",
            GB + "6.1",
            mandatory=False,
        ),
        _m("C-6.1b", "切断电源并上锁挂牌", GB + "6.1", mandatory=False),
        _m("C-6.2", "先通风，严禁向受限空间通入纯氧", GB + "6.2、6.3e；" + M13 + "第十四条"),
        _m("C-6.3", "作业前 30 min 内气体检测合格", GB + "6.3a；" + M13 + "第十四条"),
        _m("C-6.5", "作业中持续检测气体浓度", GB + "6.5；" + M13 + "第十五条"),
        _m("C-6.8", "监护人在外全程监护，登记进出人员和工具", GB + "6.8；" + M13 + "第十五条"),
        _m("C-M11", "出入口设置明显的安全警示标志", M13 + "第十一条"),
        _m("C-M12", "作业前由监护人员解除物理隔离措施", M13 + "第十二条", mandatory=False),
        _m(
            "C-M13",
            "配备气体检测报警仪、通风设备、呼吸防护用品、全身式安全带和救援装备",
            M13 + "第十三条",
        ),
    ),
    PermitType.work_at_height: (
        _m("W-4.4", "作业前进行安全交底", GB + "4.4"),
        _m("W-4.9", "作业人员按规定持有特种作业操作证", GB + "4.9", mandatory=False),
        _m("W-8.2.2", "高处作业设专人监护", GB + "8.2.2"),
        _m("W-8.2.6", "五级风以上或浓雾等恶劣天气不进行作业", GB + "8.2.6"),
        _m("W-8.2.8", "上下交叉作业采取双层防护", GB + "8.2.8", mandatory=False),
    ),
}


def catalogue_item(permit_type: str, code: str) -> MeasureItem:
    item = next((m for m in CATALOGUES.get(permit_type, ()) if m.code == code), None)
    if item is None:
        raise RuleViolation(
            "measure_unknown",
            f"安全措施 {code} 不在该作业类型的措施清单中",
            f"Measure {code} is not in this permit type's catalogue",
            citation="GB 30871-2022 表A.1/A.2/A.4",
            kind="invalid",
        )
    return item


def missing_measures(
    permit_type: str, answered: Mapping[str, tuple[bool, str | None]]
) -> list[str]:
    """Codes not yet answered, or mandatory ones not marked involved and confirmed by name."""
    out = []
    for item in CATALOGUES.get(permit_type, ()):
        got = answered.get(item.code)
        if got is None or (item.mandatory and not (got[0] and got[1])):
            out.append(item.code)
    return out
