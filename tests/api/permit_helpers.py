"""Arranging permits through the API: duties, spaces, a permit walked to a given state."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.user import Role
from app.rules.calendar import today_in_shanghai
from app.rules.permits.measures import CATALOGUES
from tests.conftest import World, add_user

API = "/api/v1"


def iso(delta_min: float = 0) -> str:
    return (datetime.now(UTC) + timedelta(minutes=delta_min)).isoformat()


@dataclass
class Crew:
    """E1 runs permits: head1 is the principal (registered by the office); `approver` is a
    second E1 account holding `duty`."""

    client: httpx.AsyncClient
    world: World

    def h(self, who: str) -> dict[str, str]:
        return self.world.headers(who)

    async def post(self, path: str, body: Any, who: str = "head1") -> httpx.Response:
        return await self.client.post(f"{API}{path}", json=body, headers=self.h(who))

    async def grant(
        self, who: str, duty: str, *, by: str = "head1", ent: str = "E1", **kw: Any
    ) -> httpx.Response:
        body = {
            "enterprise_id": str(self.world.enterprises[ent]),
            "grantee_id": str(self.world.users[who]),
            "duty": duty,
            "valid_from": iso(-60),
            "valid_to": iso(60 * 24),
        } | kw
        return await self.post("/delegations", body, by)

    async def space(
        self, gases: list[str], ent: str = "E1", who: str = "head1", signs: bool = False
    ) -> str:
        url = f"/enterprises/{self.world.enterprises[ent]}/confined-spaces"
        body = {
            "name": "污水池",
            "location": "厂区东侧",
            "poisoning_gases": gases,
            "signs_posted": signs,
        }
        resp = await self.post(url, body, who)
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])

    async def permit(
        self, ptype: str, who: str = "head1", ent: str = "E1", **kw: Any
    ) -> dict[str, Any]:
        body = {
            "enterprise_id": str(self.world.enterprises[ent]),
            "type": ptype,
            "location": "一号车间",
            "work_content": "检修",
            "planned_start": iso(-5),
        } | kw
        resp = await self.post("/permits", body, who)
        assert resp.status_code == 201, resp.text
        return dict(resp.json())

    async def act(
        self, pid: str, action: str, body: Any = None, who: str = "head1"
    ) -> httpx.Response:
        return await self.post(f"/permits/{pid}/{action}", body or {}, who)

    async def approved(self, ptype: str, signer: str = "approver", **kw: Any) -> str:
        pid = str((await self.permit(ptype, **kw))["id"])
        await self.measures(pid, ptype)
        assert (await self.act(pid, "submit")).status_code == 200
        resp = await self.act(pid, "sign", {"on_site": True}, signer)
        assert resp.status_code == 200, resp.text
        return pid

    async def measures(self, pid: str, ptype: str) -> None:
        """Answer the type's whole measure catalogue: involved, confirmed by name."""
        for item in CATALOGUES[ptype]:
            m = {"code": item.code, "involved": True, "confirmed_by": "王五"}
            assert (await self.post(f"/permits/{pid}/measures", m)).status_code == 201

    async def hot_ready(self, pid: str, cert: str) -> str:
        """A fire watch in, a certified 动火人, a passing test: what a hot-work start needs.
        Answers the fire watch's person id."""
        fw = {"role": "fire_watch", "name": "赵六", "checked_in": True}
        resp = await self.post(f"/permits/{pid}/people", fw)
        assert resp.status_code == 201, resp.text
        op = {"role": "hot_work_operator", "name": "焊工甲", "certificate_id": cert}
        assert (await self.post(f"/permits/{pid}/people", op)).status_code == 201
        body = {
            "sampled_at": iso(-2),
            "analyst": "钱七",
            "readings": [{"gas": "CH4", "value": 0.1, "unit": "vol_pct"}],
        }
        assert (await self.post(f"/permits/{pid}/gas-tests", body)).json()["passed"] is True
        return str(resp.json()["id"])

    async def cert(self, category: str = "welding_cutting", days: int = 300) -> str:
        today = today_in_shanghai()
        body = {
            "holder_name": "焊工甲",
            "category": category,
            "certificate_no": f"T{days}{category}{uuid.uuid4().hex[:6]}",
            "issued_on": (today - timedelta(days=400)).isoformat(),
            "expires_on": (today + timedelta(days=days)).isoformat(),
        }
        url = f"/enterprises/{self.world.enterprises['E1']}/certificates"
        resp = await self.post(url, body)
        assert resp.status_code == 201, resp.text
        return str(resp.json()["id"])

    async def ready(self, pid: str, *, vent_min: float = -20, test_min: float = -5) -> None:
        """Guardian in, ventilation, a passing test: what a confined start needs."""
        g = {"role": "guardian", "name": "赵六", "checked_in": True}
        assert (await self.post(f"/permits/{pid}/people", g)).status_code == 201
        v = {"method": "mechanical", "started_at": iso(vent_min)}
        assert (await self.post(f"/permits/{pid}/ventilation", v)).status_code == 201
        assert (await self.gas(pid, test_min)).status_code == 201

    async def gas(
        self, pid: str, at_min: float = -5, o2: float = 20.9, **kw: Any
    ) -> httpx.Response:
        body = {
            "sampled_at": iso(at_min),
            "analyst": "钱七",
            "readings": [
                {"gas": "O2", "value": o2, "unit": "vol_pct"},
                {"gas": "H2S", "value": 1, "unit": "ppm"},
                {"gas": "CH4", "value": 5, "unit": "lel_pct"},
            ],
        } | kw
        return await self.post(f"/permits/{pid}/gas-tests", body)


async def make_crew(
    client: httpx.AsyncClient, world: World, db: AsyncSession, *, duty: str = "dept_head"
) -> Crew:
    """E1 gets the confined-space feature; head1 the principal duty; `approver` `duty`."""
    crew = Crew(client, world)
    resp = await client.patch(
        f"{API}/enterprises/{world.enterprises['E1']}",
        json={"features": ["confined_space"]},
        headers=world.headers("office"),
    )
    assert resp.status_code == 200, resp.text
    await add_user(db, world, "approver", Role.enterprise_head, enterprise="E1")
    await add_user(db, world, "approver2", Role.enterprise_head, enterprise="E2")
    await db.commit()
    assert (await crew.grant("head1", "principal", by="office")).status_code == 201
    assert (await crew.grant("approver", duty)).status_code == 201
    return crew


def new_id() -> str:
    return str(uuid.uuid4())
