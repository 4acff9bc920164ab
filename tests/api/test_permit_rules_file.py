"""Permit rules as data (permits.md §8): a jurisdiction's file changes validity and grading
through the API; a wrong file stops the start; each permit is stamped with the version it was
issued under and judged by it after the file changes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.main import create_app
from app.services.permits.rules_store import PermitRulesFileError
from tests.api.permit_helpers import API, Crew, make_crew
from tests.conftest import World, assert_problem

# Permits have day-based rules (GB 30871-2022 5.3.1d re-tests a new day; validity ends at a
# time of day): every test runs at 11:00 Asia/Shanghai, whatever hour the suite starts.
pytestmark = pytest.mark.usefixtures("shanghai_midday")

RULES = {
    "version": "baoshan-2026/v1",
    "jurisdiction": "宝山区友谊路街道",
    "values": {
        "validity.hot_work.level2": {"value": 24, "citation": "区应急局通知（示例）"},
        "pretest_max_age": {"value": 10, "citation": "区应急局通知（示例）"},
        "hot_work_upgrade_steps": {"value": 2, "citation": "区应急局通知（示例）"},
    },
}


def _write(tmp_path: Path, data: Any, name: str = "rules.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


@pytest.fixture
async def local(
    settings: Settings, tmp_path: Path, app_instance: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database, started with the jurisdiction's file."""
    del app_instance  # the shared app owns the database clean-up
    app = create_app(settings.model_copy(update={"permit_rules_file": _write(tmp_path, RULES)}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c
    await app.state.engine.dispose()


@pytest.fixture
async def crew(client: httpx.AsyncClient, world: World, db: AsyncSession) -> Crew:
    return await make_crew(client, world, db)


def _hours(permit: dict[str, Any]) -> float:
    start = datetime.fromisoformat(permit["valid_from"])
    return (datetime.fromisoformat(permit["valid_to"]) - start) / timedelta(hours=1)


async def test_file_changes_validity_and_grading_and_stamps_the_version(
    crew: Crew, local: httpx.AsyncClient, world: World
) -> None:
    default = await crew.permit("hot_work")
    assert default["grade"] == "level2"
    assert _hours(default) == 72  # GB 30871-2022 5.1.5
    assert default["rules_version"] == "gb30871-2022+mem13-2024/v1"
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "type": "hot_work",
        "location": "一号车间",
        "work_content": "焊接",
        "planned_start": default["planned_start"],
    }
    resp = await local.post(f"{API}/permits", json=body, headers=world.headers("head1"))
    assert resp.status_code == 201, resp.text
    assert _hours(resp.json()) == 24
    version = resp.json()["rules_version"]
    assert version.startswith("baoshan-2026/v1#")
    # holiday / night: two grades up under the file (level2 → special), one by default
    night = body | {"hot_work": {"holiday_or_night": True}}
    resp = await local.post(f"{API}/permits", json=night, headers=world.headers("head1"))
    assert resp.json()["grade"] == "special"
    resp = await crew.client.post(f"{API}/permits", json=night, headers=world.headers("head1"))
    assert resp.json()["grade"] == "level1"
    # the version's table stays readable from any app, with its citations
    shown = await crew.client.get(
        f"{API}/permits/rules", params={"version": version}, headers=world.headers("grid1")
    )
    assert shown.status_code == 200, shown.text
    assert shown.json()["current"] is False
    row = {v["key"]: v for v in shown.json()["values"]}["validity.hot_work.level2"]
    assert (row["value"], row["default"], row["overridden"]) == (24, 72, True)
    assert row["citation"] == "区应急局通知（示例）"
    assert row["default_citation"] == "GB 30871-2022 5.1.5"


async def test_a_permit_is_judged_by_the_rules_it_was_issued_under(
    crew: Crew, local: httpx.AsyncClient, world: World
) -> None:
    space = await crew.space([])
    body = {
        "enterprise_id": str(world.enterprises["E1"]),
        "type": "confined_space",
        "location": "污水池",
        "work_content": "清淤",
        "planned_start": (datetime.now().astimezone() - timedelta(minutes=5)).isoformat(),
        "confined_space_id": space,
    }
    resp = await local.post(f"{API}/permits", json=body, headers=world.headers("head1"))
    pid = resp.json()["id"]
    await crew.measures(pid, "confined_space")
    assert (await crew.act(pid, "submit")).status_code == 200
    assert (await crew.act(pid, "sign", {"on_site": True}, "approver")).status_code == 200
    await crew.ready(pid, vent_min=-30, test_min=-15)
    # 15 min passes GB's 30 min, but this permit was issued under the 10-minute rule — and is
    # started through the app that runs the defaults.
    assert_problem(await crew.act(pid, "start"), 409)
    assert (await crew.gas(pid, -2)).status_code == 201
    assert (await crew.act(pid, "start")).status_code == 200


async def test_rules_table_for_staff_only_and_unknown_version(
    client: httpx.AsyncClient, world: World
) -> None:
    for who in ("office", "head1", "grid1"):
        resp = await client.get(f"{API}/permits/rules", headers=world.headers(who))
        assert resp.status_code == 200, resp.text
        data = resp.json()
        assert data["current"] is True
        assert data["version"] == "gb30871-2022+mem13-2024/v1"
        keys = {v["key"]: v for v in data["values"]}
        assert keys["validity.confined_space"]["value"] == 24
        assert keys["validity.confined_space"]["citation"] == "GB 30871-2022 6.10"
        assert not any(v["overridden"] for v in data["values"])
    resp = await client.get(f"{API}/permits/rules", headers=world.headers("dashboard"))
    assert_problem(resp, 403)
    resp = await client.get(
        f"{API}/permits/rules", params={"version": "nope"}, headers=world.headers("office")
    )
    assert_problem(resp, 404)


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (RULES | {"values": {"validity.confined_space": {"value": 48, "citation": "x 1"}}},
         "r.json", "validity.confined_space = 48.0 outside [0.5, 24] h"),
        (RULES | {"values": {"retest_gap.confined_space": {"value": 60, "citation": "GB 6.3f"}}},
         "r.json", "retest_gap.confined_space: not a settable permit rule"),
        (RULES | {"values": {"min_guardians": {"value": 0, "citation": "none"}}},
         "r.json", "min_guardians = 0.0 outside [1, 5]"),
        (RULES | {"values": {"oxygen_min": {"value": 21, "citation": "x 1"}}},
         "r.json", "oxygen_min (21.0) must be below oxygen_max (21.0)"),
        (RULES | {"values": {"pretest_max_age": {"value": 20}}}, "r.json", "citation"),
        (RULES | {"values": {"min_guardians": {"value": 1.5, "citation": "x 1"}}},
         "r.json", "min_guardians = 1.5: a whole number"),
        ("version = 'a'\n[values.x", "r.toml", "r.toml"),
        ("{}", "r.json", "version"),
    ],
)  # fmt: skip
def test_a_wrong_file_refuses_to_start(
    settings: Settings, tmp_path: Path, content: Any, name: str, expected: str
) -> None:
    path = _write(tmp_path, content, name)
    with pytest.raises(PermitRulesFileError) as err:
        create_app(settings.model_copy(update={"permit_rules_file": path}))
    assert expected in str(err.value)
    assert "ZHIBEN_PERMIT_RULES_FILE" in str(err.value)


def test_missing_file_refuses_to_start(settings: Settings, tmp_path: Path) -> None:
    missing = tmp_path / "absent.toml"
    with pytest.raises(PermitRulesFileError, match="absent.toml"):
        create_app(settings.model_copy(update={"permit_rules_file": missing}))


def test_toml_file_loads(settings: Settings, tmp_path: Path) -> None:
    toml = (
        'version = "t/1"\njurisdiction = "测试"\n'
        '[values."validity.work_at_height"]\nvalue = 72\ncitation = "示例"\n'
    )
    app = create_app(
        settings.model_copy(update={"permit_rules_file": _write(tmp_path, toml, "r.toml")})
    )
    assert app is not None
