"""Hazard lifecycle and the ledger (隐患台账), brief §2–§4, §7."""

from app.services import hazard_counts as hazard_counts
from app.services.hazards import labels as labels
from app.services.hazards.create import NewHazard, create_hazard

__all__ = ["NewHazard", "create_hazard"]
