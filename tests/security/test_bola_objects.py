"""BOLA on object routes (quality-notes §1, API1 authz matrix): every route that names an
object (`/hazards/{hazard_id}`, `/hazards/{hazard_id}/plan`, `/enterprises/{e}/drills/{d}`…)
is called by the head of E1 and the grid staff of G1 on E2's object: reads answer 404 (or 403
for a role that may never use the route), writes change nothing and reveal nothing (403, 404,
or 422 for a body refused before any lookup). The same read on E1's object succeeds (or is
403 for the role), so a 404 above means "hidden", not "broken".

Objects come from the seeded world; a route whose collection seeds nothing fails
`test_every_object_route_is_in_the_matrix` unless it is listed in NOT_IN_MATRIX with a reason.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi import FastAPI

from tests.conftest import World
from tests.security.payloads import minimal_body
from tests.security.routes import Endpoint, endpoints, is_public
from tests.security.seed import Seeded, add_third_enterprise, seed_account_objects, seed_objects

CALLERS = ("head1", "grid1")
WRITE_REFUSALS = {403, 404, 422}


def _collection(ep: Endpoint) -> tuple[str, str] | None:
    """(collection path template, object parameter) for a route that names an object."""
    params = [p for p in ep.path_params if p != "enterprise_id"]
    if not params:
        return None
    name = params[-1]
    return ep.path[: ep.path.index("{" + name)].rstrip("/"), name


def _object_of(seeded: Seeded, collection: str, owner: str, who: str = "") -> str | None:
    """An object of `owner`'s enterprise — or, for objects that belong to one account
    (notifications, exports: owner "E1:head1"), of the caller's own account."""
    mine = (owner, f"{owner}:{who}")
    return next(
        (o for o in seeded.created.get(collection, []) if seeded.owner.get(o) in mine), None
    )


def _url(ep: Endpoint, name: str, oid: str, enterprise: str) -> str:
    path = ep.path.replace("{enterprise_id}", enterprise)
    return re.sub(r"{" + re.escape(name) + r"(?::[^}]*)?}", oid, path)


async def _call(
    client: httpx.AsyncClient, ep: Endpoint, url: str, body: Any, who: str, world: World
) -> httpx.Response:
    return await client.request(ep.method, url, json=body, headers=world.headers(who))


async def test_foreign_objects_are_hidden(
    client: httpx.AsyncClient, app_instance: FastAPI, world: World
) -> None:
    spec = app_instance.openapi()
    await add_third_enterprise(client, world)
    seeded = await seed_objects(client, world, spec)
    await seed_account_objects(client, app_instance, world, seeded)
    e = {k: str(v) for k, v in world.enterprises.items()}
    failures, checked = [], 0
    for ep in endpoints(app_instance):
        target = None if is_public(ep.path) else _collection(ep)
        if target is None:
            continue
        collection, name = target
        foreign = _object_of(seeded, collection, "E2")
        owns = [_object_of(seeded, collection, "E1", who) for who in CALLERS]
        if foreign is None or not any(owns):
            if not ep.path.startswith(NOT_IN_MATRIX):
                failures.append(f"{ep.id}: nothing to check (E1's {owns}, E2's {foreign})")
            continue
        body = minimal_body(spec, ep.path, ep.method) if ep.method != "GET" else None
        for who in CALLERS:
            own = _object_of(seeded, collection, "E1", who)
            if foreign is None or own is None:
                continue
            checked += 1
            resp = await _call(client, ep, _url(ep, name, foreign, e["E2"]), body, who, world)
            allowed = {403, 404} if ep.method == "GET" else WRITE_REFUSALS
            if resp.status_code not in allowed:
                failures.append(
                    f"{who} {ep.id} on E2's object: {resp.status_code} {resp.text[:120]}"
                )
            if ep.method == "GET":
                mine = await _call(client, ep, _url(ep, name, own, e["E1"]), None, who, world)
                if not (mine.is_success or mine.status_code == 403):
                    failures.append(f"{who} {ep.id} on E1's own object: {mine.status_code}")
    assert checked >= 2, f"no object routes could be exercised: {dict(seeded.created)}"
    assert not failures, "object-level authorization:\n" + "\n".join(failures)


# Objects that belong to no enterprise (so there is no "foreign" one to try), or that the
# world cannot create through the API; every other object route must be in the matrix.
NOT_IN_MATRIX = (
    "/api/v1/grids/{",  # jurisdiction data, readable by every staff role
    "/api/v1/users/{",  # street office only (403 for the others, walked by the route walk)
    "/api/v1/webhooks/{",  # street office only, like users
    # Street office only (plan:manage) and owned by no enterprise: every other role is refused
    # with 403 (route walk; tests/api/test_inspection_plans.py::test_plan_items_and_roles).
    "/api/v1/inspection-plans/{",
    "/api/v1/bulletins/{",  # jurisdiction-wide, street office only, like inspection plans
    "/api/v1/standards/{",  # the public checklist catalogue
    "/api/v1/reports/{report_id}/photos/{",  # needs a public upload attached to a report
)


async def test_every_object_route_is_in_the_matrix(
    client: httpx.AsyncClient, app_instance: FastAPI, world: World
) -> None:
    """Quality-notes §1 API1: fail when a route naming an object is missing from the matrix
    (its collection seeded nothing: extend tests/security/seed.py or NOT_IN_MATRIX)."""
    await add_third_enterprise(client, world)
    seeded = await seed_objects(client, world, app_instance.openapi())
    await seed_account_objects(client, app_instance, world, seeded)
    missing = []
    for ep in endpoints(app_instance):
        target = None if is_public(ep.path) else _collection(ep)
        if target and ep.path.startswith(NOT_IN_MATRIX):
            continue
        # A foreign (E2) object to try and an own (E1) one to compare, per object route.
        # Account-owned objects (notifications, exports) name their owner "E1:head1".
        owners = {o.split(":")[0] for o in seeded.owners(target[0])} if target else set()
        if target and not {"E1", "E2"} <= owners:
            missing.append(ep.id)
    assert not missing, (
        f"object routes not in the BOLA matrix: {missing}; refused: {seeded.refused}"
    )
