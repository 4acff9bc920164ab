"""Walk every route of the app (quality-notes §1, API2/API5/API9): nothing outside the public
allowlist answers an anonymous or forged caller, every POST honours Idempotency-Key, and every
route declares the errors it gives.

Each test loops over the live route table and reports every offending route at once, so an
endpoint added by any domain is checked without editing this file.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import FastAPI
from jose import jwt

from app.core.idempotency import IdempotentRoute
from tests.conftest import TEST_PASSWORD, TEST_SECRET, World, assert_problem
from tests.security.payloads import forged_tokens, valid_token
from tests.security.routes import api_routes, endpoints, fill_path, is_public

SAMPLE_BODY = {"name": "x"}


async def _call(
    client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]
) -> httpx.Response:
    body = SAMPLE_BODY if method in {"POST", "PUT", "PATCH"} else None
    return await client.request(method, path, json=body, headers=headers)


def _refusal_problems(resp: httpx.Response) -> str | None:
    """None when `resp` is a proper 401 problem document, else what is wrong with it."""
    try:
        assert_problem(resp, 401)
    except (AssertionError, KeyError, ValueError):
        return f"{resp.status_code} {resp.headers.get('content-type')} {resp.text[:160]}"
    return None


async def test_every_protected_route_refuses_anonymous_callers(
    client: httpx.AsyncClient, app_instance: FastAPI
) -> None:
    walked, failures = 0, []
    for ep in endpoints(app_instance):
        if is_public(ep.path):
            continue
        walked += 1
        resp = await _call(client, ep.method, fill_path(ep), {})
        problem = _refusal_problems(resp)
        if problem:
            failures.append(f"{ep.id}: {problem}")
    assert walked >= 10, "the route table looks empty"
    assert not failures, "reachable without credentials:\n" + "\n".join(failures)


async def test_every_protected_route_refuses_forged_tokens(
    client: httpx.AsyncClient, app_instance: FastAPI, world: World
) -> None:
    sid = str(jwt.get_unverified_claims(world.tokens["office"])["sid"])
    uid = world.users["office"]
    # Control: the same claims, correctly signed, are accepted — so each refusal below is
    # caused by the one thing forged, not by the claims.
    ok = await client.get("/api/v1/auth/me", headers=_bearer(valid_token(TEST_SECRET, uid, sid)))
    assert ok.status_code == 200, ok.text

    login = await client.post(
        "/api/v1/auth/token", data={"username": "u_office", "password": TEST_PASSWORD}
    )
    assert login.status_code == 200, login.text
    tokens = forged_tokens(TEST_SECRET, uid, sid)
    tokens["opaque_refresh_token"] = login.json()["refresh_token"]

    failures = []
    protected = [ep for ep in endpoints(app_instance) if not is_public(ep.path)]
    for name, token in tokens.items():
        for ep in protected:
            resp = await _call(client, ep.method, fill_path(ep), _bearer(token))
            problem = _refusal_problems(resp)
            if problem:
                failures.append(f"{name} → {ep.id}: {problem}")
    assert not failures, "forged token accepted:\n" + "\n".join(failures)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_public_allowlist_routes_exist(app_instance: FastAPI) -> None:
    """The allowlist itself must not drift: each exact public path is a real route."""
    paths = {path for path, _ in api_routes(app_instance)}
    for must in ("/healthz", "/readyz", "/api/v1/auth/token", "/api/v1/auth/me"):
        assert must in paths


def test_every_post_route_is_idempotent(app_instance: FastAPI) -> None:
    wrong = [
        f"{path} ({type(r).__name__})"
        for path, r in api_routes(app_instance)
        if "POST" in r.methods and not isinstance(r, IdempotentRoute)
    ]
    assert not wrong, "POST routes not made with api_router (Idempotency-Key ignored): " + str(
        wrong
    )


def _operation_gaps(path: str, method: str, op: dict[str, Any]) -> list[str]:
    responses = op.get("responses", {})
    gaps = []
    if not is_public(path) and "401" not in responses:
        gaps.append("401 undeclared")
    if "{" in path and "404" not in responses:
        gaps.append("404 undeclared (has a path id)")
    if (op.get("parameters") or op.get("requestBody")) and "422" not in responses:
        gaps.append("422 undeclared (takes input)")
    if method == "post" and "201" in responses and "200" not in responses:
        gaps.append("200 undeclared (a create re-sent with the same id answers 200)")
    for status, resp in responses.items():
        if status[0] in "45" and "application/problem+json" not in resp.get("content", {}):
            gaps.append(f"{status} not declared as application/problem+json")
    return gaps


def test_every_operation_declares_its_errors(app_instance: FastAPI) -> None:
    spec = app_instance.openapi()
    failures = []
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            gaps = _operation_gaps(path, method, op)
            if gaps:
                failures.append(f"{method.upper()} {path}: {', '.join(gaps)}")
    assert not failures, "OpenAPI does not declare errors:\n" + "\n".join(failures)


def test_every_route_is_in_the_openapi_document(app_instance: FastAPI) -> None:
    """No hidden routes (API9): each API route is described, so fuzzing reaches it."""
    spec = app_instance.openapi()["paths"]
    hidden = [
        f"{m} {path}"
        for path, r in api_routes(app_instance)
        for m in r.methods - {"HEAD", "OPTIONS"}
        if m.lower() not in spec.get(path, {})
    ]
    assert not hidden, hidden
