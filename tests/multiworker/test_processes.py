"""The same guarantees with two real `zhiben serve` processes on loopback ports (issue 7): the
login failure limit and an Idempotency-Key hold across separate interpreters, so nothing that
must be shared lives in process memory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from tests.conftest import TEST_PASSWORD, TEST_SECRET, World, assert_problem
from tests.multiworker.conftest import REDIS_URL, Instances

ZHIBEN = str(Path(sys.executable).with_name("zhiben"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_healthy(base: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"zhiben serve exited with {proc.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("zhiben serve did not become healthy within 30 s")


@pytest.fixture
def servers(settings: Settings, instances: Instances, tmp_path: Path) -> Iterator[list[str]]:
    # `instances` skips (or fails in CI) when Redis is down, exactly like the in-process tests.
    env = {
        **os.environ,
        "ZHIBEN_DATABASE_URL": settings.database_url,
        "ZHIBEN_SECRET_KEY": TEST_SECRET,
        "ZHIBEN_REDIS_URL": REDIS_URL,
        "ZHIBEN_VAR_DIR": str(tmp_path),
        "ZHIBEN_LOG_LEVEL": "WARNING",
    }
    procs, bases = [], []
    try:
        for _ in range(2):
            port = _free_port()
            cmd = [ZHIBEN, "serve", "--host", "127.0.0.1", "--port", str(port)]
            proc = subprocess.Popen(
                cmd,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            procs.append(proc)
            bases.append(f"http://127.0.0.1:{port}")
            _wait_healthy(bases[-1], proc)
        yield bases
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)


def _login(base: str, username: str, password: str) -> httpx.Response:
    data = {"username": username, "password": password}
    return httpx.post(base + "/api/v1/auth/token", data=data, timeout=10)


def test_two_processes_share_limits_and_idempotency(servers: list[str], world: World) -> None:
    a, b = servers
    office = world.headers("office")
    username = f"mwp_{uuid.uuid4().hex[:12]}"
    user = {"username": username, "password": TEST_PASSWORD, "role": "dashboard"}
    assert httpx.post(a + "/api/v1/users", json=user, headers=office, timeout=10).status_code == 201

    for base in (a, b, a, b, a):
        assert_problem(_login(base, username, "wrong-password"), 401)
    assert_problem(_login(b, username, "wrong-password"), 429, "rate_limited")
    assert_problem(_login(a, username, TEST_PASSWORD), 429, "rate_limited")

    name = f"进程网格{uuid.uuid4().hex[:6]}"
    keyed = {**office, "Idempotency-Key": str(uuid.uuid4())}
    first = httpx.post(a + "/api/v1/grids", json={"name": name}, headers=keyed, timeout=10)
    again = httpx.post(b + "/api/v1/grids", json={"name": name}, headers=keyed, timeout=10)
    assert first.status_code == 201, first.text
    assert (again.status_code, again.json()) == (201, first.json())
    assert again.headers.get("Idempotent-Replayed") == "true"
    grids = httpx.get(b + "/api/v1/grids?limit=100", headers=office, timeout=10).json()["items"]
    assert [g["name"] for g in grids].count(name) == 1
