"""The change feed (`GET /api/v1/sync/changes`): change capture and the scoped reader."""

from app.services.sync.feed import FeedEntry, read_changes

__all__ = ["FeedEntry", "read_changes"]
