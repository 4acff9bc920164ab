"""A Python client generated from /openapi.json works as a client developer would use it.

`openapi-python-client` (dev dependency) generates the client from the app's own document,
with the repository's generator config; any generator warning fails the test (a warning means
a piece of the API is missing from the client). The client then runs a short flow against the
in-process app.
"""

from __future__ import annotations

import importlib
import io
import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from PIL import Image

from tests.api.hazard_helpers import tomorrow
from tests.conftest import ROOT, TEST_PASSWORD, World

PACKAGE = "zhiben_generated_client"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def generated(app_instance: FastAPI, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("client")
    spec = out / "openapi.json"
    spec.write_text(json.dumps(app_instance.openapi(), ensure_ascii=False), encoding="utf-8")
    run = subprocess.run(  # noqa: S603 — our own dev tool, fixed arguments
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(spec),
            "--meta",
            "none",
            "--config",
            str(ROOT / "clients" / "openapi-python-client.yaml"),
            "--output-path",
            str(out / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "warning" not in output.lower(), output
    sys.path.insert(0, str(out))
    try:
        yield output
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def mod(name: str) -> ModuleType:
    return importlib.import_module(f"{PACKAGE}.{name}")


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (24, 16), (10, 120, 200)).save(buf, format="PNG")
    return buf.getvalue()


def attach(client: Any, app: FastAPI, token: str | None = None) -> Any:
    """Route the generated client's httpx calls into the in-process app."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    transport = httpx.ASGITransport(app=app)
    client.set_async_httpx_client(
        httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers)
    )
    return client


async def login(app: FastAPI, username: str) -> Any:
    client_mod = mod("client")
    anon = attach(client_mod.Client(base_url="http://test"), app)
    form = mod("models").LoginForm(username=username, password=TEST_PASSWORD)
    pair = await mod("api.auth.token").asyncio(client=anon, body=form)
    assert pair.token_type == "bearer", pair
    authed = client_mod.AuthenticatedClient(base_url="http://test", token=pair.access_token)
    return attach(authed, app, pair.access_token)


def test_generator_reports_no_warnings(generated: str) -> None:
    assert "Generating" in generated


async def test_login_list_create_with_idempotency_key(
    generated: str, app_instance: FastAPI, world: World
) -> None:
    api = await login(app_instance, "u_head1")
    models = mod("models")
    page = await mod("api.hazards.list_hazards").asyncio(client=api)
    assert page.items == []
    body = models.HazardCreate.from_dict(
        {
            "enterprise_id": str(world.enterprises["E1"]),
            "description": "配电箱柜门缺失",
            "category": "electrical",
        }
    )
    create = mod("api.hazards.create_hazard")
    first = await create.asyncio_detailed(client=api, body=body, idempotency_key="gen-1")
    again = await create.asyncio_detailed(client=api, body=body, idempotency_key="gen-1")
    assert first.status_code == 201
    assert again.parsed.id == first.parsed.id
    assert first.headers["ETag"] == '"1"'
    assert first.parsed.version == 1
    page = await mod("api.hazards.list_hazards").asyncio(client=api)
    assert [h.id for h in page.items] == [first.parsed.id]


async def test_photo_uploads_staff_and_public(
    generated: str, app_instance: FastAPI, world: World
) -> None:
    types = mod("types")
    form = mod("models").PhotoUpload(
        file=types.File(payload=io.BytesIO(png()), file_name="p.png", mime_type="image/png")
    )
    api = await login(app_instance, "u_grid1")
    staff = await mod("api.uploads.create_upload").asyncio_detailed(client=api, body=form)
    assert staff.status_code == 201, staff.content
    assert (staff.parsed.content_type, staff.parsed.width) == ("image/png", 24)
    form.file.payload.seek(0)
    anon = attach(mod("client").Client(base_url="http://test"), app_instance)
    public = await mod("api.public.upload").asyncio_detailed(client=anon, body=form)
    assert public.status_code == 201, public.content


async def test_plan_with_if_match_and_problems_parsed(
    generated: str, app_instance: FastAPI, world: World
) -> None:
    api = await login(app_instance, "u_head1")
    models = mod("models")
    hazard = await mod("api.hazards.create_hazard").asyncio(
        client=api,
        body=models.HazardCreate.from_dict(
            {
                "enterprise_id": str(world.enterprises["E1"]),
                "description": "消防通道堵塞",
                "category": "fire",
            }
        ),
    )
    plan = models.PlanBody.from_dict(
        {"responsible_person": "张三", "measures": "清理通道", "deadline": tomorrow()}
    )
    planned = await mod("api.hazards.plan_hazard").asyncio_detailed(
        hazard_id=hazard.id, client=api, body=plan, if_match=f'"{hazard.version}"'
    )
    assert planned.status_code == 200
    assert planned.parsed.status.value == "rectifying"
    assert planned.headers["ETag"] == '"2"'
    stale = await mod("api.hazards.plan_hazard").asyncio_detailed(
        hazard_id=hazard.id, client=api, body=plan, if_match='"1"'
    )
    assert stale.status_code == 412
    assert isinstance(stale.parsed, models.Problem)
    assert stale.parsed.code == "precondition_failed"
    missing = await mod("api.hazards.get_hazard").asyncio_detailed(
        hazard_id=uuid.uuid4(), client=api
    )
    assert missing.status_code == 404
    assert isinstance(missing.parsed, models.Problem)
    assert (missing.parsed.code, missing.parsed.status) == ("not_found", 404)
