"""Identity: accounts, tokens, email verification, password reset."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from web.clients.base import ServiceClient


class User(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    role: str
    is_verified: bool
    email_verified: bool
    created_at: datetime


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int
    user: User


class UserPage(BaseModel):
    items: list[User]
    next_cursor: str | None


class IdentityClient(ServiceClient):
    name = "identity"

    async def register(
        self, *, email: str, password: str, name: str, role: Literal["student", "teacher"]
    ) -> TokenPair:
        body = {"email": email, "password": password, "name": name, "role": role}
        response = await self.request("POST", "/register", json=body)
        return TokenPair.model_validate_json(response.content)

    async def login(self, *, email: str, password: str) -> TokenPair:
        response = await self.request("POST", "/login", json={"email": email, "password": password})
        return TokenPair.model_validate_json(response.content)

    async def refresh(self, refresh_token: str) -> TokenPair:
        response = await self.request("POST", "/refresh", json={"refresh_token": refresh_token})
        return TokenPair.model_validate_json(response.content)

    async def logout(self, refresh_token: str) -> None:
        await self.request("POST", "/logout", json={"refresh_token": refresh_token})

    async def me(self, token: str) -> User:
        return await self.get_model(User, "/me", token=token)

    async def verify_email(self, token: str) -> None:
        await self.request("POST", "/verify-email", json={"token": token})

    async def resend_verification(self, token: str) -> None:
        await self.request("POST", "/verify-email/resend", token=token)

    async def forgot_password(self, email: str) -> None:
        await self.request("POST", "/forgot-password", json={"email": email})

    async def reset_password(self, token: str, new_password: str) -> None:
        await self.request(
            "POST", "/reset-password", json={"token": token, "new_password": new_password}
        )

    async def pending_teachers(self, token: str, cursor: str | None = None) -> UserPage:
        return await self.get_model(
            UserPage, "/admin/teachers/pending", token=token, cursor=cursor, limit=50
        )

    async def verify_teacher(self, token: str, user_id: uuid.UUID) -> User:
        response = await self.request("PATCH", f"/admin/users/{user_id}/verify", token=token)
        return User.model_validate_json(response.content)
