"""Account rules: registration, login, email verification and password reset.

Functions take the request's connection and never commit; the route's transaction does.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid

import asyncpg
from edu_common.errors import AppError
from edu_common.events import enqueue
from edu_common.events.contracts import UserRegistered
from edu_common.mail import queue_mail
from edu_common.ratelimit import Limit, RateLimiter, too_many
from edu_common.security.passwords import PasswordHasher

from identity.accounts.mails import password_reset_mail, verification_mail
from identity.accounts.repository import MailTokenRepository, User, UserRepository
from identity.accounts.schemas import RegisterIn
from identity.sessions.repository import RefreshTokenRepository
from identity.settings import IdentitySettings

HOUR = 3600


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def invalid_credentials() -> AppError:
    return AppError(401, "invalid_credentials", "wrong email or password")


def invalid_mail_token() -> AppError:
    return AppError(400, "invalid_token", "the link is invalid, already used or expired")


def email_taken() -> AppError:
    return AppError(409, "email_taken", "an account with this email already exists")


async def register(
    conn: asyncpg.Connection,
    hasher: PasswordHasher,
    limiter: RateLimiter,
    settings: IdentitySettings,
    ip: str,
    body: RegisterIn,
) -> User:
    # Counted before anything else: each registration mails, so a script must not be able
    # to make the platform send mail to whole address lists.
    per_ip = Limit("register_ip", settings.register_ip_limit, settings.register_ip_window_seconds)
    verdict = await limiter.hit(per_ip, ip)
    if not verdict.allowed:
        raise too_many(verdict, per_ip)
    password_hash = await hasher.hash(body.password)
    user = await UserRepository(conn).create(
        email=body.email, password_hash=password_hash, name=body.name, role=body.role
    )
    if user is None:
        raise email_taken()
    await send_verification(conn, settings, user)
    await enqueue(
        conn, UserRegistered(user_id=user.id, email=user.email, name=user.name, role=user.role)
    )
    return user


def login_limits(settings: IdentitySettings) -> tuple[Limit, Limit]:
    per_ip = Limit("login_ip", settings.login_ip_limit, settings.login_ip_window_seconds)
    failures = Limit(
        "login_failures", settings.login_failure_limit, settings.login_failure_window_seconds
    )
    return per_ip, failures


async def authenticate(
    reads: asyncpg.Connection,
    conn: asyncpg.Connection,
    hasher: PasswordHasher,
    limiter: RateLimiter,
    settings: IdentitySettings,
    *,
    ip: str,
    email: str,
    password: str,
) -> User:
    """The user whose credentials these are, or 401 `invalid_credentials` for an unknown email
    and a wrong password alike (same body, and one password verification either way).

    The user is looked up with `reads`, so no connection is held while the password is
    verified (tens of milliseconds of argon2, more under load); `conn` writes afterwards."""
    per_ip, failures = login_limits(settings)
    verdict = await limiter.hit(per_ip, ip)
    if not verdict.allowed:
        raise too_many(verdict, per_ip)
    # Failures count per account *and* IP: someone elsewhere cannot lock the owner out.
    subject = f"{email.lower()}|{ip}"
    verdict = await limiter.check(failures, subject)
    if not verdict.allowed:
        raise too_many(verdict, failures)
    user = await UserRepository(reads).get_by_email(email)
    matches, needs_rehash = await hasher.verify(user.password_hash if user else None, password)
    if user is None or not matches:
        await limiter.record(failures, subject)
        raise invalid_credentials()
    if needs_rehash:
        await UserRepository(conn).set_password_hash(user.id, await hasher.hash(password))
    await limiter.reset(failures, subject)
    return user


async def send_verification(
    conn: asyncpg.Connection, settings: IdentitySettings, user: User
) -> None:
    raw = secrets.token_urlsafe(32)
    ttl_hours = settings.verify_email_ttl_hours
    await MailTokenRepository(conn).add(user.id, "verify_email", _hash(raw), ttl_hours * HOUR)
    subject, body = verification_mail(settings.web_url, user.name, raw, ttl_hours)
    await queue_mail(conn, user.email, subject, body)


async def verify_email(conn: asyncpg.Connection, raw: str) -> User:
    tokens = MailTokenRepository(conn)
    user_id = await tokens.consume(_hash(raw), "verify_email")
    if user_id is None:
        raise invalid_mail_token()
    user = await UserRepository(conn).mark_email_verified(user_id)
    if user is None:
        raise invalid_mail_token()
    # Older links sent to the same address are of no further use.
    await tokens.spend_all(user_id, "verify_email")
    return user


async def resend_verification(
    conn: asyncpg.Connection,
    limiter: RateLimiter,
    settings: IdentitySettings,
    user_id: uuid.UUID,
) -> None:
    limit = Limit("resend_verification", settings.resend_verification_limit, HOUR)
    verdict = await limiter.hit(limit, str(user_id))
    if not verdict.allowed:
        raise too_many(verdict, limit)
    user = await UserRepository(conn).get(user_id)
    if user is None or user.email_verified:
        return
    await send_verification(conn, settings, user)


async def request_password_reset(
    conn: asyncpg.Connection, limiter: RateLimiter, settings: IdentitySettings, ip: str, email: str
) -> None:
    """Mails a reset link if the account exists, at most `reset_mails_per_hour` times an hour.
    The caller learns nothing either way."""
    per_ip = Limit("forgot_password_ip", settings.forgot_password_ip_limit, 60)
    verdict = await limiter.hit(per_ip, ip)
    if not verdict.allowed:
        raise too_many(verdict, per_ip)
    # Locked, so concurrent requests cannot both pass the hourly count.
    user = await UserRepository(conn).get_by_email(email, for_update=True)
    if user is None:
        return
    tokens = MailTokenRepository(conn)
    if await tokens.count_recent(user.id, "reset_password", HOUR) >= settings.reset_mails_per_hour:
        return
    raw = secrets.token_urlsafe(32)
    ttl_minutes = settings.reset_password_ttl_minutes
    await tokens.add(user.id, "reset_password", _hash(raw), ttl_minutes * 60)
    subject, body = password_reset_mail(settings.web_url, user.name, raw, ttl_minutes)
    await queue_mail(conn, user.email, subject, body)


async def reset_password(
    conn: asyncpg.Connection, hasher: PasswordHasher, raw: str, new_password: str
) -> list[uuid.UUID]:
    """Sets the new password; returns the sessions it ended (every one of the user's)."""
    tokens = MailTokenRepository(conn)
    user_id = await tokens.consume(_hash(raw), "reset_password")
    if user_id is None:
        raise invalid_mail_token()
    users = UserRepository(conn)
    await users.set_password_hash(user_id, await hasher.hash(new_password))
    # The link arrived by mail, so the address is proven too.
    await users.mark_email_verified(user_id)
    await tokens.spend_all(user_id, "reset_password")
    # Whoever held a session with the old password loses it.
    return await RefreshTokenRepository(conn).revoke_user(user_id)
