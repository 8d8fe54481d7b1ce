"""Request and response bodies for sessions (token pairs)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from identity.accounts.schemas import UserOut

RefreshTokenText = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str = Field(description="Opaque; single use, exchanged at POST /refresh.")
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    user: UserOut


class RefreshIn(BaseModel):
    refresh_token: RefreshTokenText


class Jwks(BaseModel):
    keys: list[dict[str, Any]]
