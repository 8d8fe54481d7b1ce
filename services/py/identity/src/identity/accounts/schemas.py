"""Request and response bodies for accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from edu_common.sanitize import PlainText
from pydantic import AfterValidator, BaseModel, EmailStr, Field, StringConstraints


def _not_blank(value: str) -> str:
    # Checked after markup is stripped: a name made only of tags is no name.
    if not value:
        raise ValueError("must contain text, not only markup")
    return value


Email = Annotated[EmailStr, Field(max_length=254)]
Password = Annotated[str, Field(min_length=8, max_length=128)]
Name = Annotated[PlainText, Field(min_length=1, max_length=100), AfterValidator(_not_blank)]
OneTimeToken = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RegisterIn(BaseModel):
    email: Email
    password: Password
    name: Name
    role: Literal["student", "teacher"] = Field(
        description="Self-registration is for students and teachers; admins are made by admins."
    )


class LoginIn(BaseModel):
    email: Email
    # No minimum here: a wrong password of any length is an invalid credential, not a 422.
    password: Annotated[str, Field(min_length=1, max_length=128)]


class UserOut(BaseModel):
    id: uuid.UUID
    email: str
    name: str
    role: str
    is_verified: bool = Field(description="A teacher verified by an admin.")
    email_verified: bool
    created_at: datetime


class VerifyEmailIn(BaseModel):
    token: OneTimeToken


class ForgotPasswordIn(BaseModel):
    email: Email


class ResetPasswordIn(BaseModel):
    token: OneTimeToken
    new_password: Password


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"
