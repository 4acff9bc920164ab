"""Statistics for the street office and the dashboard (brief §7): aggregates only, no
personal data, every figure a SQL aggregate over the caller's scope."""

from app.services.stats.hazards import GroupBy, hazard_series
from app.services.stats.overview import overview
from app.services.stats.ranking import ranking
from app.services.stats.targets import targets

__all__ = ["GroupBy", "hazard_series", "overview", "ranking", "targets"]
