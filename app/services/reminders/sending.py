"""Send stages at most once: insert the (object, deadline, stage) keys with ON CONFLICT DO
NOTHING … RETURNING, and write notifications only for the keys this scan inserted — a second
scan, or a second worker scanning at the same moment, gets nothing back and sends nothing."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.audit import OutboxEvent
from app.models.notification import Notification, ReminderSent
from app.services import outbox

CHUNK = 500  # rows per INSERT (SQLite's bound-parameter limit)


@dataclass(frozen=True)
class Message:
    user_id: uuid.UUID
    kind: str
    title: str
    body: str


@dataclass(frozen=True)
class Due:
    object_type: str
    object_id: uuid.UUID
    deadline: date
    stage: str
    messages: tuple[Message, ...]

    @property
    def key(self) -> tuple[str, uuid.UUID, date, str]:
        return (self.object_type, self.object_id, self.deadline, self.stage)


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO NOTHING (both databases support it)."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


async def send(
    session: AsyncSession, due: Sequence[Due], *, today: date, now: datetime
) -> tuple[int, int]:
    """Claim each stage's key; notify for the ones claimed here.
    Returns (stages claimed, notifications written)."""
    won = sent = 0
    for start in range(0, len(due), CHUNK):
        w, s = await _send_chunk(session, due[start : start + CHUNK], today=today, now=now)
        won, sent = won + w, sent + s
    return won, sent


async def _send_chunk(
    session: AsyncSession, due: Sequence[Due], *, today: date, now: datetime
) -> tuple[int, int]:
    if not due:
        return 0, 0
    rows = [
        {
            "id": uuid.uuid4(),
            "object_type": d.object_type,
            "object_id": d.object_id,
            "deadline": d.deadline,
            "stage": d.stage,
            "scan_day": today,
            "sent_at": now,
        }
        for d in due
    ]
    # executemany form: one cached compiled statement batched by the driver
    # ("insertmanyvalues"), not a fresh multi-VALUES statement of thousands of parameters.
    stmt = (
        _insert(session)(ReminderSent.__table__)
        .on_conflict_do_nothing()
        .returning(
            ReminderSent.object_type,
            ReminderSent.object_id,
            ReminderSent.deadline,
            ReminderSent.stage,
        )
    )
    won = {tuple(r) for r in (await session.execute(stmt, rows)).all()}
    notes = [_note(d, m, now) for d in due if d.key in won for m in d.messages]
    if notes:
        await session.execute(_insert(session)(Notification.__table__), notes)
        events = [_event(n) for n in notes]
        await session.execute(_insert(session)(OutboxEvent.__table__), events)
    return len(won), len(notes)


def _note(d: Due, m: Message, now: datetime) -> dict[str, object]:
    return {
        "id": uuid.uuid4(),
        "user_id": m.user_id,
        "kind": m.kind,
        "object_type": d.object_type,
        "object_id": d.object_id,
        "title": m.title[:200],
        "body": m.body,
        "stage": d.stage,
        "unread": True,
        "created_at": now,
    }


def _event(note: dict[str, object]) -> dict[str, object]:
    """`notification.created` for webhooks: ids and codes, never the text (it may name people)."""
    event_id = uuid.uuid4()
    return {
        "event_id": event_id,
        "topic": "notification.created",
        "object_type": "notification",
        "object_id": str(note["id"]),
        "payload": {
            "user_id": str(note["user_id"]),
            "kind": note["kind"],
            "object_type": note["object_type"],
            "object_id": str(note["object_id"]),
            "stage": note["stage"],
        },
        "created_at": note["created_at"],
        "task": outbox.FAN_OUT,
        "queue": "default",
        "args": {"event_id": str(event_id)},
        "status": "pending",
        "run_after": note["created_at"],
        "attempts": 0,
    }
