"""Issue 11: the hazard list and read are sent from rows without the model's validation; the
bytes must stay those of `HazardRead` (its field order, wire datetimes, defaulted basis keys),
and the photos folded into the row keep their order (kind, then position) and shape."""

from __future__ import annotations

from typing import Any

import httpx

from app.schemas.common import Page
from app.schemas.hazard import HazardRead
from tests.api.hazard_helpers import API, PLAN_GENERAL, act, major, new_hazard, tomorrow
from tests.api.test_uploads import png_with_gps, upload
from tests.conftest import World


async def _photo(client: httpx.AsyncClient, world: World) -> str:
    resp = await upload(client, world, "head1", png_with_gps())
    assert resp.status_code == 201, resp.text
    uid: str = resp.json()["id"]
    return uid


async def _ledger(client: httpx.AsyncClient, world: World) -> tuple[str, list[dict[str, Any]]]:
    """A hazard with found and evidence photos and funds, a downgraded major one, a plain one."""
    found = [await _photo(client, world) for _ in range(3)]
    evidence = [await _photo(client, world) for _ in range(2)]
    h = await new_hazard(client, world, "head1", photo_ids=found)
    plan = {**PLAN_GENERAL, "deadline": tomorrow(), "funds": 12345.6}
    assert (await act(client, world, "head1", h["id"], "plan", plan)).status_code == 200
    body = {"evidence": "已更换", "photo_ids": evidence}
    assert (await act(client, world, "head1", h["id"], "submit", body)).status_code == 200
    m = await major(client, world)
    reason = {"reason": '复核后降级："一般"\n隐患'}
    assert (await act(client, world, "office", m["id"], "downgrade", reason)).status_code == 200
    await new_hazard(client, world, "office", "E2")
    expected = [{"upload_id": u, "kind": "evidence"} for u in evidence]
    expected += [{"upload_id": u, "kind": "found"} for u in found]
    return h["id"], expected


async def test_list_and_read_bytes_are_the_models(client: httpx.AsyncClient, world: World) -> None:
    hid, photos = await _ledger(client, world)
    for who, count in (("office", 3), ("head1", 2), ("grid1", 2)):
        resp = await client.get(f"{API}?limit=50", headers=world.headers(who))
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"] == "application/json"
        page = Page[HazardRead].model_validate_json(resp.content)
        assert resp.content == page.model_dump_json().encode(), who
        assert len(page.items) == count
        items = {i["id"]: i for i in resp.json()["items"]}
        assert items[hid]["photos"] == photos
        assert items[hid]["funds"] == 12345.6
        for item in resp.json()["items"]:
            one = await client.get(f"{API}/{item['id']}", headers=world.headers(who))
            assert one.status_code == 200, one.text
            assert one.headers["etag"] == f'"{item["version"]}"'
            assert (
                one.content
                == HazardRead.model_validate_json(one.content).model_dump_json().encode()
            )
            assert one.json() == item


async def test_downgraded_basis_keeps_its_shape(client: httpx.AsyncClient, world: World) -> None:
    await _ledger(client, world)
    resp = await client.get(f"{API}?level=general&limit=50", headers=world.headers("office"))
    bases = [i["basis"] for i in resp.json()["items"] if i["basis"]["downgraded"]]
    assert len(bases) == 1
    assert list(bases[0]) == [
        "standard_version",
        "item_codes",
        "articles",
        "manual_reason",
        "device_failed",
        "downgraded",
    ]
    assert list(bases[0]["downgraded"]) == ["reason", "by", "at", "from_level"]
    assert bases[0]["downgraded"]["at"].endswith("Z")
    assert bases[0]["downgraded"]["from_level"] == "major"


async def test_dashboard_overview_has_no_photos(client: httpx.AsyncClient, world: World) -> None:
    hid, _ = await _ledger(client, world)
    resp = await client.get(f"{API}?limit=50", headers=world.headers("dashboard"))
    assert resp.status_code == 200, resp.text
    items = {i["id"]: i for i in resp.json()["items"]}
    assert "photos" not in items[hid]
    assert items[hid]["enterprise_name"]
    one = await client.get(f"{API}/{hid}", headers=world.headers("dashboard"))
    assert one.status_code == 200, one.text
    assert one.json() == items[hid]


async def test_foreign_read_is_still_404(client: httpx.AsyncClient, world: World) -> None:
    hid, _ = await _ledger(client, world)
    for who in ("head2", "grid2"):
        resp = await client.get(f"{API}/{hid}", headers=world.headers(who))
        assert resp.status_code == 404, who
        assert resp.headers["content-type"] == "application/problem+json"
