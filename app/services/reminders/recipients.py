"""Who hears about what (issue 13): the enterprise heads of the object's enterprise, the grid
staff of its grid, and — for escalations — the street office. Active accounts only."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.user import Role, User, UserGrid


@dataclass
class Recipients:
    heads: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)  # by enterprise
    grid_staff: dict[uuid.UUID, list[uuid.UUID]] = field(default_factory=dict)  # by grid
    office: list[uuid.UUID] = field(default_factory=list)

    @classmethod
    async def load(cls, session: AsyncSession) -> Recipients:
        """Accounts are few (hundreds): one read per scan, not one per object."""
        heads: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        staff: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
        office: list[uuid.UUID] = []
        active = select(User.id, User.role, User.enterprise_id).where(User.is_active.is_(True))
        for user_id, role, enterprise_id in (await session.execute(active)).all():
            if role == Role.enterprise_head and enterprise_id is not None:
                heads[enterprise_id].append(user_id)
            elif role == Role.street_office:
                office.append(user_id)
        assigned = (
            select(UserGrid.grid_id, UserGrid.user_id)
            .join(User, User.id == UserGrid.user_id)
            .where(User.is_active.is_(True), User.role == Role.grid_staff)
        )
        for grid_id, user_id in (await session.execute(assigned)).all():
            staff[grid_id].append(user_id)
        return cls(dict(heads), dict(staff), office)

    def local(self, enterprise_id: uuid.UUID | None, grid_id: uuid.UUID | None) -> list[uuid.UUID]:
        """The enterprise's heads and its grid's staff."""
        out = list(self.heads.get(enterprise_id, [])) if enterprise_id else []
        return out + (list(self.grid_staff.get(grid_id, [])) if grid_id else [])
