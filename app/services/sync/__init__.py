"""The change feed (`GET /api/v1/sync/changes`): change capture and the scoped reader."""

from sqlalchemy.orm import Session

from app.services import hazard_counts as hazard_counts
from app.services.sync import tracking as tracking
from app.services.sync.feed import FeedEntry, read_changes

# Until the sessionmaker calls every module's `install` (the wiring change that replaces the
# import-time listeners), the rollup hooks are registered where they were imported before.
hazard_counts.install(Session)

__all__ = ["FeedEntry", "read_changes"]
