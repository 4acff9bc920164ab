"""LocalStorage: content addressing, idempotence, key validation, atomic writes."""

from __future__ import annotations

import asyncio
import hashlib
import os
from pathlib import Path

import pytest

from app.core.storage import BlobNotFoundError, BlobStorage, LocalStorage, validate_key

DATA = b"\xff\xd8\xff photo bytes"
KEY = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def storage(tmp_path: Path) -> LocalStorage:
    return LocalStorage(tmp_path / "blobs")


def _all_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


async def test_round_trip(storage: LocalStorage) -> None:
    store: BlobStorage = storage  # LocalStorage satisfies the protocol
    key = await store.put(DATA, content_type="image/jpeg")
    assert key == KEY
    assert await store.exists(key)
    assert await store.open(key) == DATA
    assert storage.path(key) == storage.root / KEY[:2] / KEY[2:4] / KEY
    await store.delete(key)
    assert not await store.exists(key)
    with pytest.raises(BlobNotFoundError):
        await store.open(key)
    await store.delete(key)  # deleting a missing blob is fine


async def test_put_is_idempotent(storage: LocalStorage) -> None:
    first = await storage.put(DATA, content_type="image/jpeg")
    before = storage.path(first).stat()
    second = await storage.put(DATA, content_type="image/png")
    assert first == second
    after = storage.path(first).stat()
    # Not rewritten (same file), only touched: the mtime is the last put (delete_if_idle).
    assert after.st_ino == before.st_ino
    assert after.st_mtime_ns >= before.st_mtime_ns
    assert _all_files(storage.root) == [storage.path(first)]


async def test_delete_if_idle_keeps_a_recently_put_blob(storage: LocalStorage) -> None:
    key = await storage.put(DATA, content_type="image/jpeg")
    path = storage.path(key)
    os.utime(path, (1_000_000, 1_000_000))  # last stored long ago
    await storage.put(DATA, content_type="image/jpeg")  # a racing upload stores it again
    assert not await storage.delete_if_idle(key, idle_since=2_000_000)
    assert await storage.open(key) == DATA
    os.utime(path, (1_000_000, 1_000_000))
    assert await storage.delete_if_idle(key, idle_since=2_000_000)
    assert not await storage.exists(key)
    assert _all_files(storage.root) == []  # no tombstone left behind
    assert not await storage.delete_if_idle(key, idle_since=2_000_000)


async def test_concurrent_puts_of_same_bytes(storage: LocalStorage) -> None:
    keys = await asyncio.gather(*(storage.put(DATA, content_type="image/jpeg") for _ in range(20)))
    assert set(keys) == {KEY}
    assert _all_files(storage.root) == [storage.path(KEY)]
    assert await storage.open(KEY) == DATA


@pytest.mark.parametrize(
    "key",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        "",
        KEY.upper(),
        KEY[:-1],
        KEY + "0",
        KEY[:-2] + "/x",
        KEY[:-1] + "\x00",
        f"{KEY}\n",
        "ab/cd/" + KEY,
    ],
)
async def test_bad_keys_are_refused(storage: LocalStorage, key: str) -> None:
    with pytest.raises(ValueError, match="64 lowercase hex"):
        validate_key(key)
    with pytest.raises(ValueError, match="sha256"):
        await storage.open(key)
    with pytest.raises(ValueError, match="sha256"):
        await storage.exists(key)
    with pytest.raises(ValueError, match="sha256"):
        await storage.delete(key)


async def test_write_leaves_no_temp_files(storage: LocalStorage) -> None:
    for i in range(5):
        await storage.put(DATA + bytes([i]), content_type="image/jpeg")
    files = _all_files(storage.root)
    assert len(files) == 5
    assert all(len(p.name) == 64 and not p.name.startswith(".") for p in files)


async def test_failed_write_leaves_nothing(
    storage: LocalStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk gone"):
        await storage.put(DATA, content_type="image/jpeg")
    monkeypatch.undo()
    assert _all_files(storage.root) == []
    assert not await storage.exists(KEY)
    assert await storage.put(DATA, content_type="image/jpeg") == KEY


async def test_stored_file_is_not_world_readable(storage: LocalStorage) -> None:
    key = await storage.put(DATA, content_type="image/jpeg")
    assert storage.path(key).stat().st_mode & 0o007 == 0
