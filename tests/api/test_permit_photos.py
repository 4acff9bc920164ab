"""Permit photos through the upload flow (issue 15 item 4): on a gas test, a measure and the
completion check; visible as the permit is; an upload is claimed by one record only."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.permit_helpers import API, Crew, make_crew
from tests.api.test_uploads import png_with_gps, upload
from tests.conftest import World, assert_problem

# Permits have day-based rules (GB 30871-2022 5.3.1d re-tests a new day; validity ends at a
# time of day): every test runs at 11:00 Asia/Shanghai, whatever hour the suite starts.
pytestmark = pytest.mark.usefixtures("shanghai_midday")


@pytest.fixture
async def crew(client: httpx.AsyncClient, world: World, db: AsyncSession) -> Crew:
    return await make_crew(client, world, db)


async def _photo(crew: Crew, who: str = "head1") -> str:
    resp = await upload(crew.client, crew.world, who, png_with_gps())
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def _active(crew: Crew) -> tuple[str, str, str]:
    """An active confined permit, its measure and its passing gas test."""
    space = await crew.space([])
    pid = await crew.approved("confined_space", confined_space_id=space)
    await crew.ready(pid)
    assert (await crew.act(pid, "start")).status_code == 200
    gas = (await crew.gas(pid, -1)).json()["id"]
    measures = await crew.client.get(f"{API}/permits/{pid}/measures", headers=crew.h("head1"))
    return pid, measures.json()["items"][0]["id"], gas


async def _attach(crew: Crew, pid: str, body: dict[str, Any], who: str = "head1") -> Any:
    return await crew.post(f"/permits/{pid}/photos", body, who)


async def test_photos_on_gas_test_measure_and_completion(crew: Crew) -> None:
    pid, measure, gas = await _active(crew)
    p1, p2, p3 = [await _photo(crew) for _ in range(3)]
    body = {"kind": "gas_test", "record_id": gas, "photo_ids": [p1]}
    first = await _attach(crew, pid, body)
    assert first.status_code == 201, first.text
    assert first.json()[0]["record_id"] == gas
    again = await _attach(crew, pid, body)  # a re-send answers the stored attachment
    assert again.status_code == 200
    assert [r["upload_id"] for r in again.json()] == [p1]
    measure_body = {"kind": "measure", "record_id": measure, "photo_ids": [p2]}
    assert (await _attach(crew, pid, measure_body)).status_code == 201
    done = {"kind": "completion", "photo_ids": [p3]}
    assert (await _attach(crew, pid, done)).status_code == 201
    listed = await crew.client.get(f"{API}/permits/{pid}/photos", headers=crew.h("grid1"))
    assert listed.status_code == 200
    assert sorted(r["kind"] for r in listed.json()["items"]) == [
        "completion",
        "gas_test",
        "measure",
    ]
    # attached: the photo is the enterprise's; the grid staff of E1 may fetch it, E2 may not
    assert (
        await crew.client.get(f"{API}/uploads/{p1}", headers=crew.h("grid1"))
    ).status_code == 200
    assert (
        await crew.client.get(f"{API}/uploads/{p1}", headers=crew.h("head2"))
    ).status_code == 404


async def test_an_upload_is_claimed_once_and_scoped(crew: Crew) -> None:
    pid, measure, gas = await _active(crew)
    photo = await _photo(crew)
    ok = await _attach(crew, pid, {"kind": "gas_test", "record_id": gas, "photo_ids": [photo]})
    assert ok.status_code == 201
    elsewhere = {"kind": "measure", "record_id": measure, "photo_ids": [photo]}
    assert_problem(await _attach(crew, pid, elsewhere), 409, "photo_already_attached")
    # another account's unattached upload, or a record of no such kind on the permit
    foreign = await _photo(crew, "head2")
    body = {"kind": "measure", "record_id": measure, "photo_ids": [foreign]}
    assert_problem(await _attach(crew, pid, body), 422, "photo_not_attachable")
    wrong = {"kind": "measure", "record_id": gas, "photo_ids": [await _photo(crew)]}
    assert_problem(await _attach(crew, pid, wrong), 422, "record_not_found")
    # E2's head and grid staff do not see E1's permit: 404, nothing attached
    theirs = {"kind": "completion", "photo_ids": [foreign]}
    assert_problem(await _attach(crew, pid, theirs, "head2"), 404)
    resp = await crew.client.get(f"{API}/permits/{pid}/photos", headers=crew.h("grid2"))
    assert_problem(resp, 404)
    resp = await crew.client.get(f"{API}/permits/{pid}/photos", headers=crew.h("dashboard"))
    assert_problem(resp, 403)


async def test_completion_photos_only_around_completion(crew: Crew) -> None:
    pid = str((await crew.permit("hot_work"))["id"])
    body = {"kind": "completion", "photo_ids": [await _photo(crew)]}
    assert_problem(await _attach(crew, pid, body), 409, "permit_state_forbids")
