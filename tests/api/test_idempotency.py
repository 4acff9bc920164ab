"""`Idempotency-Key` after authentication (issue 10 finding 4): forged tokens never reach a
stored answer, used and unused keys answer alike without a valid login, secrets are never
replayed, and records expire and are purged."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI
from jose import jwt
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.idempotency import EXEMPT_PREFIXES
from app.models.audit import IdempotencyRecord
from app.models.base import utcnow
from app.routers._base import staff_principal
from app.routers._public import anonymous_principal
from app.services.idempotency import purge_expired
from tests.conftest import TEST_SECRET, World, assert_problem
from tests.security.payloads import forged_tokens
from tests.security.routes import api_routes

HAZARDS = "/api/v1/hazards"
WEBHOOKS = "/api/v1/webhooks"
HOOK = {"name": "区大屏", "url": "https://hooks.example.com/zhiben", "topics": []}


def _hazard(world: World) -> dict[str, str]:
    return {"enterprise_id": str(world.enterprises["E1"]), "description": "d", "category": "fire"}


async def test_forged_token_never_gets_a_stored_answer(
    client: httpx.AsyncClient, world: World
) -> None:
    used = {**world.headers("office"), "Idempotency-Key": "used-1"}
    first = await client.post(WEBHOOKS, json=HOOK, headers=used)
    assert first.status_code == 201, first.text
    sid = str(jwt.get_unverified_claims(world.tokens["office"])["sid"])
    for name, token in forged_tokens(TEST_SECRET, world.users["office"], sid).items():
        for key in ("used-1", "never-used"):
            resp = await client.post(
                WEBHOOKS,
                json=HOOK,
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            )
            # No oracle: a used key and an unused one both answer 401, never the stored 201.
            assert_problem(resp, 401)
            assert "secret" not in resp.text, name
            assert resp.headers.get("idempotent-replayed") is None


async def test_records_belong_to_the_verified_user(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    body = _hazard(world)
    mine = {**world.headers("head1"), "Idempotency-Key": "k-shared"}
    theirs = {**world.headers("office"), "Idempotency-Key": "k-shared"}
    a = await client.post(HAZARDS, json=body, headers=mine)
    b = await client.post(HAZARDS, json=body, headers=theirs)
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]
    actors = set((await db.scalars(select(IdempotencyRecord.actor))).all())
    assert actors == {f"user:{world.users['head1']}", f"user:{world.users['office']}"}


async def test_secret_answer_is_not_replayed(
    client: httpx.AsyncClient, world: World, db: AsyncSession
) -> None:
    headers = {**world.headers("office"), "Idempotency-Key": "hook-1"}
    first = await client.post(WEBHOOKS, json=HOOK, headers=headers)
    assert first.status_code == 201
    secret = first.json()["secret"]
    again = await client.post(WEBHOOKS, json=HOOK, headers=headers)
    assert_problem(again, 409, "idempotency_secret_withheld")
    assert secret not in again.text
    stored = (await db.scalars(select(IdempotencyRecord.response_body))).all()
    assert stored == [""]
    listed = await client.get(WEBHOOKS, headers=world.headers("office"))
    assert len(listed.json()["items"]) == 1


async def test_expired_record_no_longer_replays_and_is_purged(
    client: httpx.AsyncClient, world: World, db: AsyncSession, settings: Settings
) -> None:
    headers = {**world.headers("head1"), "Idempotency-Key": "k-old"}
    first = await client.post(HAZARDS, json=_hazard(world), headers=headers)
    assert first.status_code == 201
    assert settings.idempotency_ttl_hours == 24
    await db.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(hours=25)))
    await db.commit()
    fresh = await client.post(HAZARDS, json=_hazard(world), headers=headers)
    assert fresh.status_code == 201
    assert fresh.headers.get("idempotent-replayed") is None
    assert fresh.json()["id"] != first.json()["id"]
    # The purge deletes what is older than the window and keeps the rest.
    db.add(
        IdempotencyRecord(
            actor="user:" + str(uuid.uuid4()),
            key="stale",
            method="POST",
            path=HAZARDS,
            body_hash="0" * 64,
            status_code=201,
            response_body="{}",
            content_type="application/json",
            created_at=utcnow() - timedelta(hours=30),
        )
    )
    await db.commit()
    assert await purge_expired(db, ttl_hours=24) == 1
    await db.commit()
    assert await db.scalar(select(func.count()).select_from(IdempotencyRecord)) == 1


async def test_invalid_key_is_refused_after_authentication(
    client: httpx.AsyncClient, world: World
) -> None:
    bad = {"Idempotency-Key": "a\tb"}
    assert_problem(await client.post(HAZARDS, json=_hazard(world), headers=bad), 401)
    resp = await client.post(
        HAZARDS, json=_hazard(world), headers={**world.headers("head1"), **bad}
    )
    assert_problem(resp, 422, "invalid_idempotency_key")


def test_every_post_route_checks_the_key_after_its_caller(app_instance: FastAPI) -> None:
    """The route class gives each POST (but /auth/*) the idempotency dependency, which itself
    depends on the principal: staff routes on the authenticated actor, public ones on the
    client-address key. A new route cannot forget it."""
    missing, checked = [], 0
    for path, route in api_routes(app_instance):
        if "POST" not in route.methods or path.startswith(EXEMPT_PREFIXES):
            continue
        checked += 1
        deps = [d for d in route.dependant.dependencies if d.call.__name__ == "idempotency"]
        principals = {s.call for d in deps for s in d.dependencies}
        if len(deps) != 1 or not principals & {staff_principal, anonymous_principal}:
            missing.append(path)
    assert not missing, missing
    assert checked > 20  # hazards, transitions, records, public reports, …
