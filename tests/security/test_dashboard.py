"""The dashboard client reads aggregates only, no personal data (brief §1; quality-notes §1
API3/API5), checked over the route table on an API-seeded world:

- every GET endpoint outside the dashboard's functions (statistics, change feed, grids, the
  ledger overview (hazard list and one hazard, no personal fields),
  checklist catalogue, enum labels, itself) refuses it (403, or 404 for a scoped object);
- whatever it may read carries no personal field with a value.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI

from tests.conftest import World
from tests.security.routes import endpoints, fill_path, is_public
from tests.security.seed import add_third_enterprise, seed_objects

API = "/api/v1"
DASHBOARD_READS = tuple(
    f"{API}/{p}" for p in ("stats", "sync", "grids", "standards", "meta", "auth/me")
)
# The ledger's overview rows (issue 12): exactly these two routes, not export or history.
DASHBOARD_EXACT = {f"{API}/hazards", f"{API}/hazards/{{hazard_id}}"}
PERSONAL = {
    "principal_name",
    "principal_phone",
    "safety_manager_name",
    "safety_manager_phone",
    "contact_phone",
    "phone",
    "id_number",
    "holder_name",
    "person_name",
    "responsible_person",
    "reporter",
    "username",
    "display_name",
    "led_by",
    "inspectors",
    "person",
}


def _personal_fields(body: Any, where: str = "") -> list[str]:
    found = []
    if isinstance(body, dict):
        for k, v in body.items():
            if k in PERSONAL and v not in (None, "", [], {}):
                found.append(f"{where}.{k}")
            found += _personal_fields(v, f"{where}.{k}")
    elif isinstance(body, list):
        for v in body[:20]:
            found += _personal_fields(v, f"{where}[]")
    return found


async def test_dashboard_reads_only_aggregates(
    client: httpx.AsyncClient, app_instance: FastAPI, world: World
) -> None:
    await add_third_enterprise(client, world)
    await seed_objects(client, world, app_instance.openapi())
    overrides = {
        "enterprise_id": str(world.enterprises["E1"]),
        "grid_id": str(world.grids["G1"]),
        "version": "2023",
    }
    headers = world.headers("dashboard")
    failures, readable, read, hazard_reads = [], set(), set(), 0
    for ep in endpoints(app_instance):
        if ep.method != "GET" or is_public(ep.path):
            continue
        # The hazard list is its too; the one-hazard read gets a random id here (404).
        if ep.path.startswith(DASHBOARD_READS) or ep.path == f"{API}/hazards":
            readable.add(ep.id)
        resp = await client.get(fill_path(ep, overrides), headers=headers)
        if resp.status_code >= 500:
            failures.append(f"{ep.id}: {resp.status_code}")
        elif (
            resp.is_success
            and not ep.path.startswith(DASHBOARD_READS)
            and ep.path not in DASHBOARD_EXACT
        ):
            failures.append(f"{ep.id}: {resp.status_code} — not a dashboard function")
        elif resp.is_success:
            read.add(ep.id)
            hazard_reads += ep.path in DASHBOARD_EXACT
            body = resp.json() if "json" in resp.headers["content-type"] else None
            if ep.path != f"{API}/auth/me":  # its own name is fine
                failures += [f"{ep.id}: personal field {f}" for f in _personal_fields(body)]
    # Every one of its functions answers it (not merely one of them), so each answer above
    # was really searched for personal data.
    assert read == readable, f"dashboard functions refused to it: {sorted(readable - read)}"
    # The one-hazard read gets a random id here (404); tests/api/test_hazards_dashboard.py.
    assert hazard_reads >= 1, "the dashboard lost its ledger overview"
    assert not failures, "dashboard (aggregates only):\n" + "\n".join(failures)


async def test_dashboard_sees_the_figures_the_office_sees(
    client: httpx.AsyncClient, app_instance: FastAPI, world: World
) -> None:
    """Brief §1: aggregates over the whole jurisdiction, the same figures as the office's."""
    await add_third_enterprise(client, world)
    await seed_objects(client, world, app_instance.openapi())
    got = {}
    for who in ("dashboard", "office"):
        resp = await client.get(f"{API}/stats/overview", headers=world.headers(who))
        assert resp.status_code == 200, resp.text
        got[who] = resp.json()
    assert got["dashboard"] == got["office"]
    # Seeded: six hazards walked through the lifecycle, two with photos, two from reports.
    assert got["dashboard"]["enterprises"] == 3
    assert got["dashboard"]["by_status"] == {
        "reported": 6,
        "rectifying": 2,
        "pending_verification": 1,
        "closed": 1,
    }
