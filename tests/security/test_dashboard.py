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
    overrides = {"enterprise_id": str(world.enterprises["E1"])}
    headers = world.headers("dashboard")
    failures, allowed, hazard_reads = [], 0, 0
    for ep in endpoints(app_instance):
        if ep.method != "GET" or is_public(ep.path):
            continue
        resp = await client.get(fill_path(ep, overrides), headers=headers)
        if resp.status_code >= 500:
            failures.append(f"{ep.id}: {resp.status_code}")
        elif (
            resp.is_success
            and not ep.path.startswith(DASHBOARD_READS)
            and ep.path not in DASHBOARD_EXACT
        ):
            failures.append(f"{ep.id}: {resp.status_code} — not a dashboard function")
        elif resp.is_success and ep.path != f"{API}/auth/me":  # its own name is fine
            allowed += 1
            hazard_reads += ep.path in DASHBOARD_EXACT
            body = resp.json() if "json" in resp.headers["content-type"] else None
            failures += [f"{ep.id}: personal field {f}" for f in _personal_fields(body)]
    assert allowed >= 1, "the dashboard could read nothing at all"
    # The one-hazard read gets a random id here (404); tests/api/test_hazards_dashboard.py.
    assert hazard_reads >= 1, "the dashboard lost its ledger overview"
    assert not failures, "dashboard (aggregates only):\n" + "\n".join(failures)
