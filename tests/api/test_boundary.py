"""Issue 10's reproductions, through the HTTP API, on SQLite and PostgreSQL alike.

Findings 1 (NUL outside JSON bodies), 2 (crafted cursors), 3 (timestamps at the calendar's
edges), 5 (unauthenticated amplification) and the 413/OPTIONS items of 13.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator

import httpx

from tests.conftest import World, assert_problem

API = "/api/v1"


def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# --- finding 1: NUL and control characters in query, path and form strings ---------------


async def test_nul_in_query_path_and_form_strings_is_a_422_naming_the_parameter(
    client: httpx.AsyncClient, world: World
) -> None:
    office = world.headers("office")
    cases = [
        (f"{API}/hazards?q=a%00b", ["query", "q"]),
        (f"{API}/enterprises?q=%00", ["query", "q"]),
        (f"{API}/standards/2023/items?q=x%00", ["query", "q"]),
        (f"{API}/audit?object_type=%00", ["query", "object_type"]),
        (f"{API}/audit?object_id=a%01b", ["query", "object_id"]),
        (f"{API}/standards/20%0023/items", ["path", "version"]),
    ]
    for url, loc in cases:
        body = assert_problem(await client.get(url, headers=office), 422, "validation_error")
        assert [e["loc"] for e in body["errors"]] == [loc], (url, body)  # type: ignore[index]


async def test_nul_in_the_login_form_is_a_422_without_login(client: httpx.AsyncClient) -> None:
    resp = await client.post(
        f"{API}/auth/token", data={"username": "a\x00b", "password": "whatever-long"}
    )
    body = assert_problem(resp, 422, "validation_error")
    assert body["errors"][0]["loc"] == ["body", "username"]  # type: ignore[index]


async def test_control_characters_in_json_text_are_refused(
    client: httpx.AsyncClient, world: World
) -> None:
    for bad in ("a\x00b", "a\x1bb", "a\ud800b"):
        resp = await client.post(
            f"{API}/grids",
            content=json.dumps({"name": bad}).encode(),
            headers={**world.headers("office"), "Content-Type": "application/json"},
        )
        assert_problem(resp, 422, "validation_error")
    # Multi-line text keeps its line breaks and tabs.
    ok = await client.post(
        f"{API}/grids", json={"name": "第\t一网格"}, headers=world.headers("office")
    )
    assert ok.status_code == 201, ok.text


# --- finding 2: crafted cursors ------------------------------------------------------------


async def test_forged_and_altered_cursors_are_invalid_cursor(
    client: httpx.AsyncClient, world: World
) -> None:
    office, dash = world.headers("office"), world.headers("dashboard")
    naive = _b64(["2024-01-01T00:00:00", str(uuid.uuid4())])
    huge = _b64([10**30, 0])
    cases = [
        (f"{API}/hazards?cursor={naive}", office),
        (f"{API}/sync/changes?since={huge}", dash),
        (f"{API}/standards/2023/items?cursor={_b64([10**30])}", office),
        (f"{API}/enterprises?cursor=zz", office),
        (f"{API}/users?cursor={naive}.AAAAAAAAAAAAAAAAAAAAAA", office),
    ]
    for url, headers in cases:
        assert_problem(await client.get(url, headers=headers), 422, "invalid_cursor")


async def test_a_real_cursor_pages_and_cannot_be_altered_or_moved(
    client: httpx.AsyncClient, world: World
) -> None:
    office = world.headers("office")
    first = await client.get(f"{API}/enterprises", params={"limit": 1}, headers=office)
    cursor = first.json()["next_cursor"]
    assert cursor
    assert "." in cursor
    second = await client.get(
        f"{API}/enterprises", params={"limit": 1, "cursor": cursor}, headers=office
    )
    assert second.status_code == 200
    assert second.json()["items"][0]["id"] != first.json()["items"][0]["id"]
    payload, mac = cursor.split(".")
    values = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    values[0] = "A" + values[0]
    altered = f"{_b64(values)}.{mac}"
    for url, c in ((f"{API}/enterprises", altered), (f"{API}/grids", cursor)):
        resp = await client.get(url, params={"cursor": c}, headers=office)
        assert_problem(resp, 422, "invalid_cursor")


async def test_sync_since_round_trips_the_signed_position(
    client: httpx.AsyncClient, world: World
) -> None:
    dash = world.headers("dashboard")
    first = await client.get(f"{API}/sync/changes", headers=dash)
    assert first.status_code == 200, first.text
    again = await client.get(
        f"{API}/sync/changes", params={"since": first.json()["next_cursor"]}, headers=dash
    )
    assert again.status_code == 200, again.text


# --- finding 3: timestamps at the calendar's edges -----------------------------------------


async def test_timestamps_at_the_calendars_edges_are_a_422(
    client: httpx.AsyncClient, world: World
) -> None:
    office = world.headers("office")
    ent = str(world.enterprises["E1"])
    edges = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2024-01-01T00:00:00"]
    for value in edges:
        resp = await client.post(
            f"{API}/inspections",
            json={"enterprise_id": ent, "kind": "enforcement", "started_at": value},
            headers=office,
        )
        body = assert_problem(resp, 422, "validation_error")
        assert body["errors"][0]["loc"] == ["body", "started_at"]  # type: ignore[index]
        resp = await client.post(
            f"{API}/accidents",
            json={"enterprise_id": ent, "occurred_at": value, "description": "事故经过"},
            headers=office,
        )
        assert_problem(resp, 422, "validation_error")
        resp = await client.get(f"{API}/inspections", params={"from": value}, headers=office)
        assert_problem(resp, 422, "validation_error")


# --- finding 5: unauthenticated amplification ----------------------------------------------


async def test_a_flood_of_unknown_keys_gets_a_small_answer(client: httpx.AsyncClient) -> None:
    flood = {f"k{i}": 1 for i in range(100_000)}
    resp = await client.post(f"{API}/auth/refresh", json=flood)
    assert_problem(resp, 413, "payload_too_large")
    assert len(resp.content) < 2_000
    # Under the JSON cap: an object with far more keys than fields is refused whole, with
    # one error, cheaply (it used to cost one error object per key).
    under_cap = {f"k{i}": 1 for i in range(20_000)}
    resp = await client.post(f"{API}/auth/refresh", json=under_cap)
    body = assert_problem(resp, 422, "validation_error")
    assert [e["loc"] for e in body["errors"]] == [["body"]]  # type: ignore[index]
    assert len(resp.content) < 1_000
    # A few unknown keys are each named — at most 50 of them.
    some = {f"k{i}": 1 for i in range(51)}
    resp = await client.post(f"{API}/auth/refresh", json=some)
    body = assert_problem(resp, 422, "validation_error")
    assert len(body["errors"]) == 50  # type: ignore[arg-type]
    assert body["errors_omitted"] == 2  # 51 unknown keys and the missing refresh_token


async def test_json_bodies_are_capped_far_below_the_photo_cap(
    client: httpx.AsyncClient, world: World
) -> None:
    big = {"name": "x" * (300 * 1024)}
    resp = await client.post(f"{API}/grids", json=big, headers=world.headers("office"))
    assert_problem(resp, 413, "payload_too_large")


async def test_an_oversized_chunked_body_is_a_413(client: httpx.AsyncClient, world: World) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(40):
            yield b"x" * 8192
        yield b'"}'

    resp = await client.post(
        f"{API}/grids",
        content=chunks(),
        headers={**world.headers("office"), "Content-Type": "application/json"},
    )
    assert "content-length" not in resp.request.headers
    assert_problem(resp, 413, "payload_too_large")


# --- 13: OPTIONS and 405 -------------------------------------------------------------------


async def test_options_and_405_list_every_method_of_the_path(
    client: httpx.AsyncClient, world: World
) -> None:
    path = f"{API}/grids/{uuid.uuid4()}"
    resp = await client.options(path, headers=world.headers("office"))
    assert resp.status_code == 204
    assert resp.headers["allow"] == "GET, OPTIONS, PATCH"
    resp = await client.delete(path, headers=world.headers("office"))
    assert_problem(resp, 405, "method_not_allowed")
    assert resp.headers["allow"] == "GET, OPTIONS, PATCH"
    resp = await client.put(f"{API}/grids", headers=world.headers("office"))
    assert_problem(resp, 405)
    assert resp.headers["allow"] == "GET, OPTIONS, POST"
