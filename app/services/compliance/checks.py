"""The compliance rules (brief §7) live in `app/rules/compliance.py` and
`app/rules/compliance_checks.py` (pure); re-exported here for the services that use them."""

from __future__ import annotations

from app.rules.compliance import BASIS, CHECK_LABELS, Check, EnterpriseLike, period_counts
from app.rules.compliance_checks import evaluate

__all__ = ["BASIS", "CHECK_LABELS", "Check", "EnterpriseLike", "evaluate", "period_counts"]
