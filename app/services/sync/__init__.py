"""The change feed (`GET /api/v1/sync/changes`): change capture and the scoped reader."""

from app.services import hazard_counts as hazard_counts
from app.services.sync import tracking as tracking
from app.services.sync.feed import FeedEntry, read_changes

__all__ = ["FeedEntry", "read_changes"]
