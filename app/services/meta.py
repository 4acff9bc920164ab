"""Chinese labels of every enum code the API uses (`GET /api/v1/meta/enums`).

Domains register their enums here with `register(name, labels)` at import time.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.models.enterprise import Designation
from app.models.user import ROLE_LABELS
from app.rules.enterprise_kinds import FEATURE_LABELS, SECTOR_LABELS, TIER_LABELS

_REGISTRY: dict[str, dict[str, str]] = {
    "role": {str(k): v for k, v in ROLE_LABELS.items()},
    "sector": dict(SECTOR_LABELS),
    "feature": dict(FEATURE_LABELS),
    "tier": dict(TIER_LABELS),
    "designation": {Designation.demonstration: "典型示范企业", Designation.benchmark: "标杆企业"},
}


def register(name: str, labels: Mapping[str, str]) -> None:
    _REGISTRY[name] = {str(k): v for k, v in labels.items()}


def enum_labels() -> dict[str, dict[str, str]]:
    return {k: dict(v) for k, v in sorted(_REGISTRY.items())}
