"""The flush listeners every session of the app carries, handed to `make_sessionmaker` by the
composition roots (app factory, CLI, job worker): the hazard-count rollups, the principal
checks per month (/stats/targets) and the change capture of the sync feed. Listed here
rather than attached on import, so a session's behaviour does not depend on which modules
someone imported first."""

from __future__ import annotations

from app.core.db import SessionHook
from app.services import hazard_counts, inspection_counts
from app.services.sync import tracking

SESSION_HOOKS: tuple[SessionHook, ...] = (
    hazard_counts.install,
    inspection_counts.install,
    tracking.install,
)
