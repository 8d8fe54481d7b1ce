"""Request and response bodies for accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from edu_common.sanitize import Text
from pydantic import BaseModel, EmailStr, Field, StringConstraints

Email = Annotated[EmailStr, Field(max_length=254)]
Password = Annotated[str, Field(min_length=8, max_length=128)]
# A name made only of tags or invisible characters is no name (422).
Name = Annotated[str, Text(max_length=100, required=True)]
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
