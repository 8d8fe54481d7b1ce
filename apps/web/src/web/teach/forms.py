"""The course and lesson forms: what was typed, turned into API bodies, with field errors."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from web.i18n import gettext_ as _

LEVELS = ("beginner", "intermediate", "advanced")


def text(form: Any, name: str, limit: int = 100_000) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def course_body(form: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    """(what was typed, the API body, field errors found before asking the API)."""
    typed = {
        name: text(form, name, 10_000)
        for name in ("title", "description", "level", "price", "category_id", "duration_minutes")
    }
    errors: dict[str, str] = {}
    body: dict[str, Any] = {
        "title": typed["title"].strip(),
        "description": typed["description"],
        "level": typed["level"],
        "category_id": typed["category_id"] or None,
    }
    if typed["level"] not in LEVELS:
        errors["level"] = _("Choose a level.")
    try:
        price = Decimal(typed["price"].replace(",", ".").strip() or "0")
        if price < 0 or price.as_tuple().exponent < -2:  # type: ignore[operator]
            raise InvalidOperation
        body["price_cents"] = int(price * 100)
    except InvalidOperation:
        errors["price_cents"] = _("Enter a price such as 19.99, or 0 for a free course.")
    minutes = typed["duration_minutes"].strip() or "0"
    if minutes.isdigit():
        body["duration_minutes"] = int(minutes)
    else:
        errors["duration_minutes"] = _("Enter whole minutes.")
    return typed, body, errors


def lesson_body(form: Any) -> tuple[dict[str, str], dict[str, Any], dict[str, str]]:
    typed = {
        name: text(form, name)
        for name in ("title", "content", "video_url", "duration_minutes", "is_preview")
    }
    errors: dict[str, str] = {}
    body: dict[str, Any] = {
        "title": typed["title"].strip(),
        "content": typed["content"],
        "video_url": typed["video_url"].strip() or None,
        "is_preview": typed["is_preview"] == "on",
    }
    minutes = typed["duration_minutes"].strip() or "0"
    if minutes.isdigit():
        body["duration_minutes"] = int(minutes)
    else:
        errors["duration_minutes"] = _("Enter whole minutes.")
    return typed, body, errors
