from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from app.schemas.common import InputSchema, ParamStr, Schema, Text, _single_line
from app.schemas.user import UserRead


class TokenPair(Schema):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str


_SECRET: dict[str, Any] = {"format": "password"}  # docs mask it


class LoginForm(BaseModel):
    """The OAuth2 password form (RFC 6749 §4.3.2) with bounded fields. Unknown fields are
    ignored, as OAuth2 clients may send more than these."""

    # The pattern first, so OpenAPI shows it; the guard after it is for the route walk.
    grant_type: Annotated[str, Field(pattern="^password$"), AfterValidator(_single_line)] | None = (
        None
    )
    username: Annotated[ParamStr, Field(min_length=1, max_length=128)]
    # Passwords may hold tabs or line breaks (never NUL); long passphrases are fine, but
    # not megabytes for Argon2 to chew on.
    password: Annotated[Text, Field(min_length=1, max_length=1024, json_schema_extra=_SECRET)]
    scope: Annotated[ParamStr, Field(max_length=1000)] = ""
    client_id: Annotated[ParamStr, Field(max_length=200)] | None = None
    client_secret: Annotated[ParamStr, Field(max_length=200, json_schema_extra=_SECRET)] | None = (
        None
    )


class RefreshRequest(InputSchema):
    refresh_token: Annotated[ParamStr, Field(min_length=10, max_length=200)]


# The caller's own account (`GET /auth/me`): the office's view of a user (`UserRead`), named
# apart so clients keep their `Me` type; one field list for both audiences.
class Me(UserRead):
    pass
