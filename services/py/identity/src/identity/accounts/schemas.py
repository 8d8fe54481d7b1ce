"""Request and response bodies for accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from edu_common.sanitize import Text
from email_validator import validate_email
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field, StringConstraints


def _ascii_domain(address: str) -> str:
    # An internationalized domain is kept in its ASCII (xn--) form, the one mail servers
    # route, so `user@bücher.example` and `user@xn--bcher-kva.example` are one account.
    ascii_form = validate_email(address, check_deliverability=False).ascii_email
    return ascii_form or address


Email = Annotated[EmailStr, Field(max_length=254), AfterValidator(_ascii_domain)]


def _deliverable(address: str) -> str:
    # A non-ASCII mailbox name needs SMTPUTF8, which our mail server (like many) does not
    # offer: the verification mail could never arrive.
    if not address.isascii():
        raise ValueError("the part before @ must be ASCII: such an address cannot get our mail")
    return address


NewEmail = Annotated[Email, AfterValidator(_deliverable)]
Password = Annotated[str, Field(min_length=8, max_length=128)]
# A name made only of tags or invisible characters is no name (422).
Name = Annotated[str, Text(max_length=100, required=True)]
OneTimeToken = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class RegisterIn(BaseModel):
    email: NewEmail
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
    """What anyone allowed to see an account sees of it (never its password hash)."""

    model_config = ConfigDict(from_attributes=True)

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
