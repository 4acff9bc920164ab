"""What the street office finds on a permit's site becomes hazards (permits.md §9): 13.1 only
when the space is unlisted *and* unsigned and poisoning risk brings it under 第十三条; 3.2 for
an uncertified worker; 建材 6.2/6.4 only in that sector; 3.1 never (a general hazard on
13号令 art. 8). Each finding one hazard, never duplicated."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.permit_helpers import API, Crew, make_crew
from tests.conftest import World, assert_problem

# Permits have day-based rules (GB 30871-2022 5.3.1d re-tests a new day; validity ends at a
# time of day): every test runs at 11:00 Asia/Shanghai, whatever hour the suite starts.
pytestmark = pytest.mark.usefixtures("shanghai_midday")

ALL = [
    "space_unlisted",
    "uncertified_worker",
    "contractor_uncoordinated",
    "silo_clearing_unprotected",
    "equipment_entry_unprotected",
]


@pytest.fixture
async def crew(client: httpx.AsyncClient, world: World, db: AsyncSession) -> Crew:
    crew = await make_crew(client, world, db)
    assert (await crew.grant("approver", "principal_delegate")).status_code == 201
    return crew


async def _active(crew: Crew, gases: list[str], signs: bool = False) -> str:
    space = await crew.space(gases, signs=signs)
    pid = await crew.approved("confined_space", confined_space_id=space)
    await crew.ready(pid)
    assert (await crew.act(pid, "start")).status_code == 200
    return pid


async def _hazards(crew: Crew) -> dict[str, dict[str, Any]]:
    """Enforcement hazards keyed by the words of their description."""
    resp = await crew.client.get(
        f"{API}/hazards", params={"source": "enforcement"}, headers=crew.h("office")
    )
    keys = {
        "安全警示标志": "space",
        "特种作业人员": "cert",
        "发包作业": "contractor",
        "人工清库": "silo",
        "设备内部": "entry",
    }
    out = {}
    for h in resp.json()["items"]:
        key = next(k for words, k in keys.items() if words in h["description"])
        out[key] = h
    return out


def _basis(h: dict[str, Any]) -> tuple[str, list[str]]:
    return h["level"], h["basis"]["item_codes"]


async def test_each_finding_is_one_hazard_with_its_item_where_it_applies(crew: Crew) -> None:
    pid = await _active(crew, ["H2S"])
    stop = {"reason": "现场检查", "findings": ALL}
    assert_problem(await crew.act(pid, "order-stop", stop, "head1"), 403)
    resp = await crew.act(pid, "order-stop", stop, "office")
    assert resp.status_code == 200, resp.text
    found = await _hazards(crew)
    assert _basis(found["space"]) == ("major", ["13.1"])  # unlisted AND no signs, H2S space
    assert _basis(found["cert"]) == ("major", ["3.2"])
    # 3.1 is not mapped from a permit: a general hazard on 13号令 第八条.
    assert _basis(found["contractor"]) == ("general", [])
    assert "第八条" in found["contractor"]["basis"]["manual_reason"]
    # E1 is a machinery enterprise: the 建材 items do not apply.
    assert _basis(found["silo"]) == ("general", [])
    assert _basis(found["entry"]) == ("general", [])
    again = await crew.act(pid, "order-stop", stop, "office")
    assert again.status_code == 200
    assert len(await _hazards(crew)) == 5


async def test_13_1_is_conjunctive_and_needs_poisoning_risk(crew: Crew) -> None:
    signed = await _active(crew, ["CO"], signs=True)
    stop = {"reason": "台账缺失", "findings": ["space_unlisted"]}
    assert (await crew.act(signed, "order-stop", stop, "office")).status_code == 200
    [hazard] = (await _hazards(crew)).values()
    assert _basis(hazard) == ("general", [])  # signs posted: not 13.1 (并且)
    assert "第六条" in hazard["basis"]["manual_reason"]


async def test_13_1_without_poisoning_risk_is_general(crew: Crew) -> None:
    pid = await _active(crew, [])
    stop = {"reason": "台账缺失", "findings": ["space_unlisted"]}
    assert (await crew.act(pid, "order-stop", stop, "office")).status_code == 200
    [hazard] = (await _hazards(crew)).values()
    assert _basis(hazard) == ("general", [])


async def test_building_materials_findings_map_to_6_2_and_6_4(crew: Crew) -> None:
    resp = await crew.client.patch(
        f"{API}/enterprises/{crew.world.enterprises['E1']}",
        json={"sector": "building_materials"},
        headers=crew.h("office"),
    )
    assert resp.status_code == 200, resp.text
    pid = await _active(crew, [])
    findings = ["silo_clearing_unprotected", "equipment_entry_unprotected"]
    stop = {"reason": "清库检查", "findings": findings}
    assert (await crew.act(pid, "order-stop", stop, "office")).status_code == 200
    found = await _hazards(crew)
    assert _basis(found["silo"]) == ("major", ["6.2"])
    assert _basis(found["entry"]) == ("major", ["6.4"])


async def test_unknown_finding_is_422(crew: Crew) -> None:
    pid = await _active(crew, [])
    stop = {"reason": "x", "findings": ["made_up"]}
    assert_problem(await crew.act(pid, "order-stop", stop, "office"), 422)
