"""PostgreSQL only, real procrastinate schema, real `zhiben worker` processes (issue 13): a
worker SIGKILLed while its webhook delivery is on the wire leaves the job `doing`; the
stalled-job retry puts it back once, a second worker sends it again with the same
`webhook-id` (the receiver can dedupe), and the delivery ends `delivered` once.

The one simulation: the dead worker's last heartbeat is moved back past STALLED_AFTER_S
(15 min) instead of waiting for it. Every wait is bounded (a deadline, then a failure)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from app.jobs.worker import build_app, retry_stalled_jobs
from app.services import audit
from tests.conftest import TEST_SECRET, World
from tests.jobs.test_procrastinate import queue_db  # noqa: F401 — the fixture, by name

pytestmark = pytest.mark.skipif(
    os.environ.get("ZHIBEN_TEST_DB") != "postgres", reason="procrastinate runs on PostgreSQL"
)
ZHIBEN = str(Path(sys.executable).parent / "zhiben")
DEADLINE_S = 60.0


class Receiver(BaseHTTPRequestHandler):
    """Records every delivery's `webhook-id`; holds the first answer until released."""

    ids: list[str] = []
    arrived = threading.Event()
    release = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 — http.server's name
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        type(self).ids.append(self.headers["webhook-id"])
        if len(type(self).ids) == 1:
            type(self).arrived.set()
            type(self).release.wait(DEADLINE_S)  # the sender dies meanwhile
        try:
            self.send_response(200)
            self.end_headers()
        except OSError:
            pass  # the first sender is gone

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.ids, Receiver.arrived, Receiver.release = [], threading.Event(), threading.Event()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        Receiver.release.set()
        server.shutdown()
        server.server_close()


def _worker(database_url: str, var_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ZHIBEN_DATABASE_URL": database_url,
        "ZHIBEN_SECRET_KEY": TEST_SECRET,
        "ZHIBEN_VAR_DIR": str(var_dir),
        "ZHIBEN_JOBS_MODE": "procrastinate",
        "ZHIBEN_WEBHOOK_ALLOWED_HOSTS": '["127.0.0.1"]',
    }
    return subprocess.Popen(
        # Webhooks only: a worker started at :05-:15 past the hour would also run that
        # hour's reminder scan (procrastinate's catch-up), and a kill mid-scan would leave
        # more than the delivery stalled.
        [ZHIBEN, "worker", "--concurrency", "2", "--queues", "webhooks"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


async def _until(what: str, check: Any) -> Any:
    end = time.monotonic() + DEADLINE_S
    while time.monotonic() < end:
        if value := await check():
            return value
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {DEADLINE_S} s: {what}")


async def test_worker_killed_mid_delivery_retries_once_with_the_same_webhook_id(
    queue_db: str,  # noqa: F811
    receiver: str,
    client: httpx.AsyncClient,
    world: World,
    app_instance: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr(settings, "webhook_allowed_hosts", ["127.0.0.1"])
    hook = await client.post(
        "/api/v1/webhooks",
        json={"name": "大屏", "url": receiver, "topics": ["test.*"]},
        headers=world.headers("office"),
    )
    assert hook.status_code == 201, hook.text
    async with app_instance.state.sessionmaker() as db:
        audit.emit(db, topic="test.event", object_type="test", object_id="1")
        await db.commit()
    engine = app_instance.state.engine

    async def scalar(sql: str) -> Any:
        async with engine.connect() as conn:
            return (await conn.execute(text(sql))).scalar()

    first = _worker(queue_db, tmp_path)
    try:
        arrived = await asyncio.to_thread(Receiver.arrived.wait, DEADLINE_S)
        assert arrived, "the first worker never delivered"
        os.kill(first.pid, signal.SIGKILL)  # mid-delivery: the receiver has not answered
        assert first.wait(10) == -signal.SIGKILL
    finally:
        if first.poll() is None:
            first.kill()
    Receiver.release.set()
    deliver = "SELECT status FROM procrastinate_jobs WHERE task_name = 'webhooks.deliver'"
    assert await scalar(deliver) == "doing"  # left by the dead worker
    assert await scalar("SELECT status FROM webhook_deliveries") == "pending"
    async with engine.begin() as conn:  # 15 minutes pass without its heartbeat
        await conn.execute(
            text("UPDATE procrastinate_workers SET last_heartbeat = now() - interval '1 hour'")
        )
    app = build_app(queue_db, None)
    async with app.open_async():
        assert await retry_stalled_jobs(app) == 1
        assert await retry_stalled_jobs(app) == 0  # nothing left stalled: one retry only
    second = _worker(queue_db, tmp_path)
    try:
        status = "SELECT status FROM webhook_deliveries"
        await _until("delivered", lambda: _is(scalar(status), "delivered"))
        await _until("job finished", lambda: _is(scalar(deliver), "succeeded"))
    finally:
        second.send_signal(signal.SIGTERM)
        try:
            second.wait(20)
        except subprocess.TimeoutExpired:
            second.kill()
    assert len(Receiver.ids) == 2
    assert Receiver.ids[0] == Receiver.ids[1]  # the same webhook-id: the receiver dedupes
    assert await scalar("SELECT count(*) FROM webhook_deliveries") == 1
    assert await scalar("SELECT attempts FROM webhook_deliveries") == 1  # recorded once
    assert await scalar("SELECT count(*) FROM procrastinate_jobs WHERE task_name = "
                        "'webhooks.deliver'") == 1  # fmt: skip


async def _is(value: Any, expected: Any) -> bool:
    return bool(await value == expected)
