"""Seed a world through the API, as the street office, using whatever endpoints exist.

Every create endpoint that takes an `enterprise_id` (in the body or the path) gets one object
for each of E1, E2 and E3, built from its OpenAPI schema; public reports are posted and
triaged; hazards are walked through a prefix of their lifecycle so several states exist. A
create endpoint that refuses its minimal body, or leaves E1 or E2 without an object of its
kind, fails the seeding: extend `minimal_body` (payloads.py) rather than skip it.
"""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from PIL import Image

from tests.conftest import World
from tests.security.payloads import minimal_body, request_schema

API = "/api/v1"
_SKIP_CREATE = {f"{API}/enterprises", f"{API}/users", f"{API}/grids", f"{API}/uploads"}
HAZARD_STEPS = ("plan", "submit", "verify")


@dataclass
class Seeded:
    created: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    refused: dict[str, str] = field(default_factory=dict)
    owner: dict[str, str] = field(default_factory=dict)  # object id → "E1" / "E2" / "E3"

    def note(self, path: str, resp: httpx.Response, owner: str | None = None) -> str | None:
        if resp.status_code in (200, 201):
            body = resp.json()
            oid = str(body.get("id") or body.get("receipt_code") or "")
            self.created[path].append(oid)
            if owner:
                self.owner[oid] = owner
            return oid
        self.refused[path] = f"{resp.status_code} {resp.text[:200]}"
        return None

    def owners(self, path: str) -> set[str]:
        return {self.owner[o] for o in self.created.get(path, []) if o in self.owner}


def _fill_first(template: str, value: str) -> str:
    return template[: template.index("{")] + value + template[template.index("}") + 1 :]


async def _post(client: httpx.AsyncClient, path: str, body: Any, headers: dict[str, str]) -> Any:
    return await client.post(path, json=body, headers=headers)


async def add_third_enterprise(client: httpx.AsyncClient, world: World) -> None:
    """E3 in G2, another sector with risk features (the fuzz world wants three sectors)."""
    body = {
        "name": "测试企业E3",
        "grid_id": str(world.grids["G2"]),
        "tier": "district_key",
        "sector": "light_industry",
        "features": ["dust_explosion", "confined_space"],
    }
    resp = await client.post(f"{API}/enterprises", json=body, headers=world.headers("office"))
    assert resp.status_code == 201, resp.text
    world.enterprises["E3"] = uuid.UUID(resp.json()["id"])


def _create_targets(spec: dict[str, Any]) -> list[str]:
    """POST paths that create an enterprise's object: /x with enterprise_id in the body, or
    /enterprises/{enterprise_id}/x."""
    out = []
    for path, ops in spec["paths"].items():
        if "post" not in ops or path in _SKIP_CREATE or path.startswith(f"{API}/public"):
            continue
        schema = request_schema(spec, path, "post") or {}
        body_scoped = path.count("{") == 0 and "enterprise_id" in schema.get("properties", {})
        nested = path.startswith(f"{API}/enterprises/{{enterprise_id}}/") and path.count("{") == 1
        if body_scoped or nested:
            out.append(path)
    return sorted(out)


async def seed_objects(client: httpx.AsyncClient, world: World, spec: dict[str, Any]) -> Seeded:
    seeded = Seeded()
    office = world.headers("office")
    targets = _create_targets(spec)
    for path in targets:
        # Two hazards per enterprise, so the lifecycle walk below reaches every state.
        names = ("E1", "E2", "E3") * (2 if path == f"{API}/hazards" else 1)
        for name in names:
            ent = str(world.enterprises[name])
            url = path.replace("{enterprise_id}", ent)
            body = minimal_body(spec, path, "post", enterprise_id=ent)
            seeded.note(path, await _post(client, url, body or {}, office), owner=name)
    await _seed_public_reports(client, world, spec, seeded)
    await _seed_delegations(client, world, spec, seeded)
    await _seed_photos(client, world, spec, seeded)
    await _walk_hazards(client, world, spec, seeded)
    await _seed_disclosures(client, world, seeded)
    await _seed_principal_actions(client, world, seeded)
    _assert_complete(seeded, targets)
    return seeded


def _assert_complete(seeded: Seeded, targets: list[str]) -> None:
    """Every kind of object exists in E1 and in E2 (a foreign one to try, an own one to
    compare), and nothing was refused: a security test never passes with nothing to check."""
    thin = {p: sorted(seeded.owners(p)) for p in targets if not {"E1", "E2"} <= seeded.owners(p)}
    assert not thin, f"object kinds without an E1 and an E2 object: {thin}"
    assert not seeded.refused, f"the seeding was refused: {dict(seeded.refused)}"


async def _seed_principal_actions(client: httpx.AsyncClient, world: World, seeded: Seeded) -> None:
    """A 五带头 record for each enterprise (issue 14), made with a full body."""
    path = f"{API}/enterprises/{{enterprise_id}}/principal-actions"
    seeded.created.pop(path, None)
    seeded.refused.pop(path, None)
    for name in ("E1", "E2", "E3"):
        url = path.replace("{enterprise_id}", str(world.enterprises[name]))
        body = {
            "action": "hazard_campaign",
            "acted_on": "2026-06-01",
            "principal_name": "测试负责人",
            "description": "主要负责人带头开展重大事故隐患排查",
        }
        seeded.note(path, await _post(client, url, body, world.headers("office")), owner=name)


async def _seed_disclosures(client: httpx.AsyncClient, world: World, seeded: Seeded) -> None:
    """An enforcement case published for each enterprise (issue 14), so the disclosure
    routes are walked on another enterprise's object."""
    path = f"{API}/disclosures"
    seeded.created.pop(path, None)  # the minimal body names no case: made properly here
    seeded.refused.pop(path, None)
    for name in ("E1", "E2", "E3"):
        body = {
            "kind": "enforcement_case",
            "enterprise_id": str(world.enterprises[name]),
            "item": "未按规定开展有限空间作业审批",
            "basis": "《安全生产法》第一百零一条",
        }
        resp = await _post(client, path, body, world.headers("office"))
        seeded.note(path, resp, owner=name)


async def _seed_public_reports(
    client: httpx.AsyncClient, world: World, spec: dict[str, Any], seeded: Seeded
) -> None:
    post = f"{API}/public/reports"
    triage = f"{API}/reports/{{report_id}}/triage"
    if post not in spec["paths"]:
        return
    for i in range(3):
        body = {"description": f"公众举报：车间通道堆放杂物 {i}", "enterprise_name": "测试企业E1"}
        seeded.note(post, await _post(client, post, body, {}))
    triage_path = next((p for p in spec["paths"] if p.endswith("/triage")), triage)
    listing = await client.get(f"{API}/reports", headers=world.headers("office"))
    if listing.status_code != 200:
        return
    for item, ent in zip(listing.json().get("items", []), ("E1", "E2"), strict=False):
        url = _fill_first(triage_path, item["id"])
        body = {"decision": "accept", "enterprise_id": str(world.enterprises[ent])}
        resp = await _post(client, url, body, world.headers("office"))
        seeded.note(triage_path, resp)
        seeded.note(f"{API}/reports", resp, owner=ent)  # the report now belongs to `ent`


async def _seed_delegations(
    client: httpx.AsyncClient, world: World, spec: dict[str, Any], seeded: Seeded
) -> None:
    """A delegation names a real account of its enterprise: the office registers each head as
    its enterprise's principal (13号令 art. 7)."""
    path = f"{API}/delegations"
    if "post" not in spec["paths"].get(path, {}):
        return
    now = datetime.now(UTC)
    for head, ent in (("head1", "E1"), ("head2", "E2")):
        body = {
            "enterprise_id": str(world.enterprises[ent]),
            "grantee_id": str(world.users[head]),
            "duty": "principal",
            "valid_from": (now - timedelta(hours=1)).isoformat(),
            "valid_to": (now + timedelta(days=1)).isoformat(),
        }
        resp = await _post(client, path, body, world.headers("office"))
        seeded.refused.pop(path, None)
        seeded.note(path, resp, owner=ent)


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


async def _seed_photos(
    client: httpx.AsyncClient, world: World, spec: dict[str, Any], seeded: Seeded
) -> None:
    """Each head uploads a photo and attaches it to a hazard of its own enterprise."""
    if "post" not in spec["paths"].get(f"{API}/uploads", {}):
        return
    for head, ent in (("head1", "E1"), ("head2", "E2")):
        if head not in world.tokens:
            continue
        files = {"file": ("site.png", png_bytes(), "image/png")}
        up = await client.post(f"{API}/uploads", files=files, headers=world.headers(head))
        upload_id = seeded.note(f"{API}/uploads", up, owner=ent)
        if upload_id is None:
            continue
        body = {
            "enterprise_id": str(world.enterprises[ent]),
            "category": "electrical",
            "description": "配电箱门未关闭",
            "photo_ids": [upload_id],
        }
        resp = await _post(client, f"{API}/hazards", body, world.headers(head))
        if resp.status_code != 201:
            seeded.refused[f"{API}/hazards (with photo)"] = f"{resp.status_code} {resp.text[:200]}"


async def _walk_hazards(
    client: httpx.AsyncClient, world: World, spec: dict[str, Any], seeded: Seeded
) -> None:
    """Hazard i takes the first i % 4 lifecycle steps: reported, planned, submitted, closed."""
    created = seeded.created.get(f"{API}/hazards", [])
    for i, hid in enumerate(created):
        for step in HAZARD_STEPS[: i % 4]:
            default = f"{API}/hazards/{{hazard_id}}/{step}"
            hazard_ops = (p for p in spec["paths"] if p.startswith(f"{API}/hazards/{{"))
            template = next((p for p in hazard_ops if p.endswith(f"/{step}")), default)
            body = minimal_body(spec, template, "post", passed=True) or {}
            url = _fill_first(template, hid)
            resp = await _post(client, url, body, world.headers("office"))
            if resp.status_code != 200:
                seeded.refused[template] = f"{resp.status_code} {resp.text[:200]}"
                break


async def seed_account_objects(
    client: httpx.AsyncClient, app: Any, world: World, seeded: Seeded
) -> None:
    """Objects that belong to one account, not an enterprise (owner "E1:head1"): exports
    asked for through the API and notifications sent the way reminders are. Any E2
    account's object is foreign to the E1 callers."""
    from tests.jobs_helpers import runner_for

    for who, owner in (("head1", "E1:head1"), ("grid1", "E1:grid1"), ("head2", "E2")):
        resp = await client.post(f"{API}/hazards/exports", headers=world.headers(who))
        assert resp.status_code == 202, resp.text
        seeded.created[f"{API}/exports"].append(resp.json()["id"])
        seeded.owner[resp.json()["id"]] = owner
    await runner_for(app).drain()  # the exports are rendered: their files can be read
    await _seed_notifications(app, world, seeded)


async def _seed_notifications(app: Any, world: World, seeded: Seeded) -> None:
    from datetime import date

    from sqlalchemy import select

    from app.models.base import utcnow
    from app.models.notification import Notification
    from app.services.reminders.sending import Due, Message, send

    due = [
        Due(
            "enterprise",
            world.enterprises[ent],
            date(2026, 12, 31),
            "D-30",
            (Message(world.users[who], "drill_due", "演练提醒", "本年度疏散演练尚未完成"),),
        )
        for who, ent in (("head1", "E1"), ("head2", "E2"))
    ]
    async with app.state.sessionmaker() as session, session.begin():
        await send(session, due, today=date(2026, 12, 1), now=utcnow())
        for who, ent in (("head1", "E1:head1"), ("head2", "E2")):
            note = await session.scalar(
                select(Notification.id).where(Notification.user_id == world.users[who])
            )
            seeded.created[f"{API}/notifications"].append(str(note))
            seeded.owner[str(note)] = ent
