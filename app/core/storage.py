"""Photo storage behind a small interface, so an S3-compatible store can replace it later.

Blobs are content-addressed: the key is the SHA-256 of the bytes. Keys are generated here,
never taken from a client as a path (ASVS 5.3.2), and every key is checked to be exactly 64
lowercase hex characters before it touches the filesystem — so `../`, absolute paths and NUL
bytes cannot reach `open()`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import AsyncIterable
from pathlib import Path
from typing import IO, Protocol

_KEY_RE = re.compile(r"[0-9a-f]{64}")
_TMP_PREFIX = ".tmp-"
# A streamed put writes in pieces of about this size (one thread hop each).
WRITE_BUFFER = 1 << 20


class BlobNotFoundError(LookupError):
    """No blob stored under this key."""


class BlobStorage(Protocol):
    async def put(self, data: bytes, *, content_type: str) -> str:
        """Store `data`; return its key (sha256 hex). Storing equal bytes again is a no-op."""
        ...

    async def put_stream(
        self, chunks: AsyncIterable[bytes], *, content_type: str
    ) -> tuple[str, int]:
        """Store the concatenated `chunks` without holding them all in memory; (key, size)."""
        ...

    async def open(self, key: str) -> bytes:
        """The bytes stored under `key`; `BlobNotFoundError` if none."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None:
        """Remove the blob; deleting a missing blob is not an error."""
        ...

    async def delete_if_idle(self, key: str, *, idle_since: float) -> bool:
        """Remove the blob unless it was last `put` at or after `idle_since` (a Unix time):
        a `put` racing the removal keeps the blob. True when removed."""
        ...


def validate_key(key: str) -> str:
    """Return `key` if it is a sha256 hex digest, else raise ValueError."""
    if not isinstance(key, str) or _KEY_RE.fullmatch(key) is None:
        raise ValueError("storage key must be 64 lowercase hex characters (a sha256 digest)")
    return key


class LocalStorage:
    """Files under `root/ab/cd/<sha256>`; writes are atomic (temp file, fsync, rename)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Filesystem path of a blob (for `FileResponse`); not part of `BlobStorage`."""
        validate_key(key)
        return self.root / key[:2] / key[2:4] / key

    async def put(self, data: bytes, *, content_type: str) -> str:
        # Local files carry no metadata; the type lives on the database row. An S3 store
        # would set it as the object's Content-Type.
        del content_type
        key = hashlib.sha256(data).hexdigest()
        await asyncio.to_thread(self._write, self.path(key), data)
        return key

    async def put_stream(
        self, chunks: AsyncIterable[bytes], *, content_type: str
    ) -> tuple[str, int]:
        """Large exports (issue 13): hashed while written to a temp file under the root (the
        key is known only at the end), then renamed into place like `put`."""
        del content_type
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=_TMP_PREFIX)
        digest, size, pending = hashlib.sha256(), 0, bytearray()
        try:
            with os.fdopen(fd, "wb") as f:
                async for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    pending += chunk
                    if len(pending) >= WRITE_BUFFER:
                        await asyncio.to_thread(f.write, bytes(pending))
                        pending.clear()
                await asyncio.to_thread(self._finish, f, bytes(pending))
            key = digest.hexdigest()
            await asyncio.to_thread(self._place, Path(tmp_name), self.path(key))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        return key, size

    @staticmethod
    def _finish(f: IO[bytes], tail: bytes) -> None:
        f.write(tail)
        f.flush()
        os.fsync(f.fileno())

    @staticmethod
    def _place(tmp: Path, path: Path) -> None:
        if path.is_file():  # the same bytes are stored already (content-addressed)
            os.utime(path)
            tmp.unlink()
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp, 0o640)
        os.replace(tmp, path)
        _fsync_dir(path.parent)

    async def open(self, key: str) -> bytes:
        path = self.path(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            raise BlobNotFoundError(key) from None

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self.path(key).is_file)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(self.path(key).unlink, missing_ok=True)

    async def delete_if_idle(self, key: str, *, idle_since: float) -> bool:
        return await asyncio.to_thread(self._delete_if_idle, self.path(key), idle_since)

    @staticmethod
    def _delete_if_idle(path: Path, idle_since: float) -> bool:
        # Move the blob aside first (atomic): a `put` from now on finds no file and writes a
        # fresh one; a `put` before it touched the file, which the mtime below then shows.
        tomb = path.with_name(f"{_TMP_PREFIX}purge-{path.name}")
        try:
            os.replace(path, tomb)
        except FileNotFoundError:
            return False
        if tomb.stat().st_mtime >= idle_since:
            with contextlib.suppress(FileNotFoundError):
                os.replace(tomb, path)  # same bytes as any fresh copy: content-addressed
            return False
        tomb.unlink(missing_ok=True)
        return True

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.is_file():
            # Content-addressed: the same key means the same bytes. The mtime records the
            # last `put`, which keeps a concurrent purge from removing it (delete_if_idle).
            with contextlib.suppress(FileNotFoundError):
                os.utime(path)
                return
        path.parent.mkdir(parents=True, exist_ok=True)
        # The temp file sits in the target directory so os.replace is a same-filesystem
        # rename: readers see either no file or the whole file, never a partial one.
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=_TMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp_name, 0o640)
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    # Makes the rename itself durable across a power loss; some platforms cannot open a
    # directory for fsync, and there the rename is as durable as the OS makes it.
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
