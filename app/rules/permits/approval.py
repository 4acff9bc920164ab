"""Who may approve a permit: the GB 30871-2022 B.1 matrix (a default in settings) plus the
binding 13号令 art. 7 overlay for confined spaces with H2S/CO/CO2 poisoning risk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.rules.permits.errors import RuleViolation
from app.rules.permits.kinds import EnterpriseRole as R
from app.rules.permits.kinds import PermitType
from app.rules.permits.settings import PermitRules

# Seniority of enterprise duties: a higher duty may approve a lower step [D].
_RANK = {R.dept_head: 0, R.safety_manager: 1, R.chief_engineer: 2, R.principal: 3}


@dataclass(frozen=True)
class Route:
    approvers: tuple[R, ...]
    # 13号令 art. 7: only the principal or a written delegate may approve.
    principal_only: bool
    citation: str


def approval_route(
    *, permit_type: str, grade: str | None, poisoning_risk: bool, rules: PermitRules
) -> Route:
    key = (permit_type, grade or "")
    approvers = rules.approvers.get(key)
    if approvers is None:
        raise RuleViolation(
            "approval_route_missing",
            "审批矩阵中没有该作业类型和级别",
            "No approval route for this type and grade",
            citation="GB 30871-2022 B.1",
        )
    if permit_type == PermitType.confined_space and poisoning_risk:
        return Route((R.principal,), True, "应急管理部令第13号 第七条")
    return Route(approvers, False, "GB 30871-2022 B.1")


def check_approver(
    route: Route,
    *,
    duties: Iterable[str],
    written_delegate: bool,
    signer_is_applicant: bool,
) -> None:
    """Refuse an approver without authority, or the applicant approving its own permit."""
    if signer_is_applicant:
        raise RuleViolation(
            "approver_is_applicant",
            "审批人不能是申请人本人",
            "The approver may not be the applicant",
            citation="GB 30871-2022 4.11 [D]",
        )
    held = [R(d) for d in duties]
    if route.principal_only:
        if R.principal in held or written_delegate:
            return
        raise RuleViolation(
            "approver_not_principal",
            "存在硫化氢、一氧化碳、二氧化碳中毒窒息风险的有限空间作业，须由主要负责人或其书面委托的人员审批",
            "H2S/CO/CO2 confined-space work is approved by the principal or a written delegate",
            citation=route.citation,
        )
    need = min(_RANK[r] for r in route.approvers)
    if not any(_RANK[d] >= need for d in held):
        raise RuleViolation(
            "approver_without_authority",
            f"审批人无此级别的审批权限（需要：{'、'.join(route.approvers)}）",
            f"The approver lacks authority (needs: {', '.join(route.approvers)})",
            citation=route.citation,
        )
