"""Routes for accounts: register, login, profile, email verification, password reset."""

from __future__ import annotations

from typing import Any

from edu_common.auth import CurrentUser
from edu_common.db import DbConn, DbRead
from edu_common.errors import error_responses, not_found
from fastapi import APIRouter, Response

from identity.accounts import service
from identity.accounts.repository import UserRepository
from identity.accounts.schemas import (
    Accepted,
    ForgotPasswordIn,
    LoginIn,
    RegisterIn,
    ResetPasswordIn,
    UserOut,
    VerifyEmailIn,
)
from identity.dependencies import (
    ClientIp,
    Hasher,
    Limiter,
    Sessions,
    Settings,
    Signer,
    ended_session_ttl,
)
from identity.sessions.schemas import TokenPair
from identity.sessions.service import start_session

router = APIRouter(tags=["accounts"])


@router.post(
    "/register",
    status_code=201,
    response_model=TokenPair,
    responses=error_responses(400, 409, 422, 429),
    summary="Create a student or teacher account",
    description="Signs the new user in and mails a verification link. 409 `email_taken` when "
    "the email (in any letter case) has an account. Rate limited per IP (429 `rate_limited` "
    "with `Retry-After`).",
)
async def register(
    body: RegisterIn,
    conn: DbConn,
    hasher: Hasher,
    signer: Signer,
    limiter: Limiter,
    settings: Settings,
    ip: ClientIp,
) -> Any:
    user = await service.register(conn, hasher, limiter, settings, ip, body)
    return await start_session(conn, signer, user, settings.refresh_ttl_days)


@router.post(
    "/login",
    response_model=TokenPair,
    responses=error_responses(400, 401, 422, 429),
    summary="Sign in with email and password",
    description="401 `invalid_credentials` for an unknown email and a wrong password alike. "
    "Rate limited per IP and per account and IP (429 `rate_limited` with `Retry-After`).",
)
async def login(
    body: LoginIn,
    reads: DbRead,
    conn: DbConn,
    hasher: Hasher,
    signer: Signer,
    limiter: Limiter,
    settings: Settings,
    ip: ClientIp,
) -> Any:
    user = await service.authenticate(
        reads, conn, hasher, limiter, settings, ip=ip, email=body.email, password=body.password
    )
    return await start_session(conn, signer, user, settings.refresh_ttl_days)


@router.get(
    "/me",
    response_model=UserOut,
    responses=error_responses(401, 404),
    summary="The signed-in user",
)
async def me(principal: CurrentUser, conn: DbConn) -> Any:
    user = await UserRepository(conn).get(principal.user_id)
    if user is None:
        raise not_found("user")
    return UserOut.model_validate(user)


@router.post(
    "/verify-email",
    response_model=UserOut,
    responses=error_responses(400, 422),
    summary="Confirm an email address with the token from the verification mail",
    description="Tokens are single-use and expire after 24 hours: otherwise 400 `invalid_token`.",
)
async def verify_email(body: VerifyEmailIn, conn: DbConn) -> Any:
    user = await service.verify_email(conn, body.token)
    return UserOut.model_validate(user)


@router.post(
    "/verify-email/resend",
    status_code=202,
    response_model=Accepted,
    responses=error_responses(401, 429),
    summary="Mail a new verification link to the signed-in user",
    description="Does nothing when the address is already verified. Rate limited per user.",
)
async def resend_verification(
    principal: CurrentUser, conn: DbConn, limiter: Limiter, settings: Settings
) -> Any:
    await service.resend_verification(conn, limiter, settings, principal.user_id)
    return Accepted()


@router.post(
    "/forgot-password",
    status_code=202,
    response_model=Accepted,
    responses=error_responses(400, 422, 429),
    summary="Mail a password reset link",
    description="202 whether or not the account exists; at most 3 mails per account an hour.",
)
async def forgot_password(
    body: ForgotPasswordIn, conn: DbConn, limiter: Limiter, settings: Settings, ip: ClientIp
) -> Any:
    await service.request_password_reset(conn, limiter, settings, ip, body.email)
    return Accepted()


@router.post(
    "/reset-password",
    status_code=204,
    response_class=Response,
    responses=error_responses(400, 422),
    summary="Choose a new password with the token from the reset mail",
    description="Tokens are single-use and expire after 1 hour (400 `invalid_token`). Every "
    "session of the user is ended, access tokens included.",
)
async def reset_password(
    body: ResetPasswordIn, conn: DbConn, hasher: Hasher, sessions: Sessions, settings: Settings
) -> Response:
    ended = await service.reset_password(conn, hasher, body.token, body.new_password)
    await sessions.end([str(s) for s in ended], ttl_seconds=ended_session_ttl(settings))
    return Response(status_code=204)
