"""The mails identity sends, with their single-use links."""

from __future__ import annotations

from urllib.parse import quote


def verification_mail(web_url: str, name: str, token: str, ttl_hours: int) -> tuple[str, str]:
    link = f"{web_url.rstrip('/')}/verify-email?token={quote(token)}"
    body = (
        f"Hello {name},\n\n"
        "Please confirm your email address for EduPlatform:\n\n"
        f"{link}\n\n"
        f"The link works once and expires in {ttl_hours} hours. If you did not sign up, "
        "you can ignore this mail.\n"
    )
    return "Confirm your email address", body


def password_reset_mail(web_url: str, name: str, token: str, ttl_minutes: int) -> tuple[str, str]:
    link = f"{web_url.rstrip('/')}/reset-password?token={quote(token)}"
    body = (
        f"Hello {name},\n\n"
        "Someone asked to reset the password of your EduPlatform account. To choose a new "
        "password, open:\n\n"
        f"{link}\n\n"
        f"The link works once and expires in {ttl_minutes} minutes. If it was not you, "
        "ignore this mail: your password stays as it is.\n"
    )
    return "Reset your password", body
