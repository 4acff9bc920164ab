"""Every router is made here so every route honours `Idempotency-Key` (brief §4)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.core.idempotency import IdempotentRoute
from app.dependencies import CurrentActor
from app.schemas.common import Page


async def staff_principal(actor: CurrentActor) -> str:
    """Idempotency records of staff routes belong to the verified user (after authentication)."""
    return f"user:{actor.user_id}"


class StaffIdempotentRoute(IdempotentRoute):
    principal = staff_principal


def api_router(**kwargs: Any) -> APIRouter:
    return APIRouter(route_class=StaffIdempotentRoute, **kwargs)


T = TypeVar("T")


def created_or_stored(response: Response, result: tuple[T, bool]) -> T:
    """The object a create returned: 201 if this request made it, 200 if the client id was
    already used by the same create and the stored object comes back (`insert_once`)."""
    obj, created = result
    response.status_code = 201 if created else 200
    return obj


S = TypeVar("S", bound=BaseModel)


def page_of(schema: type[S], result: tuple[Sequence[Any], str | None]) -> Page[S]:
    """A page of `schema` read from a list service's (rows, next cursor)."""
    rows, next_cursor = result
    # Page[Any]: items keep their own type when the route's response model serialises them.
    page: Page[Any] = Page(items=[schema.model_validate(r) for r in rows], next_cursor=next_cursor)
    return page
