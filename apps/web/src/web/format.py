"""How numbers, money, lengths and dates read on a page, in the visitor's language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from web import i18n


def money(cents: int, currency: str = "USD") -> str:
    if cents == 0:
        return i18n.gettext_("Free")
    return format_currency(cents / 100, currency, locale=i18n.current_language.get())


def minutes(total: int) -> str:
    hours, rest = divmod(max(total, 0), 60)
    if hours and rest:
        return i18n.gettext_("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return i18n.gettext_("%(h)d h") % {"h": hours}
    return i18n.gettext_("%(m)d min") % {"m": rest}


def date(value: datetime) -> str:
    return format_date(value, format="medium", locale=i18n.current_language.get())


def rating(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def stars(value: float | None) -> str:
    """Five stars, filled to the nearest whole; text, so it needs no images or script."""
    filled = 0 if value is None else min(5, int(value + 0.5))
    return "★" * filled + "☆" * (5 - filled)


LEVELS = {
    "beginner": i18n.N_("Beginner"),
    "intermediate": i18n.N_("Intermediate"),
    "advanced": i18n.N_("Advanced"),
}


def level(value: str) -> str:
    return i18n.gettext_(LEVELS.get(value, value))


STATUSES = {
    "draft": i18n.N_("Draft"),
    "published": i18n.N_("Published"),
    "archived": i18n.N_("Archived"),
}


def status(value: str) -> str:
    """A course's status as its teacher reads it."""
    return i18n.gettext_(STATUSES.get(value, value))


# What the notification service says, by its `type`, in the reader's language; the
# service's own English title and body stand for any other type.
NOTICES = {
    "welcome": (
        i18n.N_("Welcome to EduPlatform"),
        i18n.N_("Your account is ready. Find a course and start learning."),
    ),
    "enrollment_confirmed": (
        i18n.N_("Enrollment confirmed"),
        i18n.N_('You are enrolled in "%(course)s".'),
    ),
    "payment_receipt": (
        i18n.N_("Payment received"),
        i18n.N_('We received your payment of %(amount)s for "%(course)s".'),
    ),
    "course_completed": (
        i18n.N_("Course completed"),
        i18n.N_('Congratulations, you completed "%(course)s".'),
    ),
    "teacher_verified": (
        i18n.N_("Your teacher account is verified"),
        i18n.N_("An administrator verified your account: you can now publish courses."),
    ),
}


def notice(notification: Any) -> tuple[str, str]:
    """A notification's title and body in the reader's language."""
    known = NOTICES.get(notification.type)
    data = notification.data
    if known is None or ("%(course)s" in known[1] and not data.get("course_title")):
        return notification.title, notification.body
    try:
        amount = money(int(data.get("amount_cents", 0)), str(data.get("currency") or "USD"))
    except (TypeError, ValueError):
        return notification.title, notification.body
    values = {"course": str(data.get("course_title", "")), "amount": amount}
    return i18n.gettext_(known[0]), i18n.gettext_(known[1]) % values


FILTERS: dict[str, Any] = {
    "money": money,
    "minutes": minutes,
    "date": date,
    "rating": rating,
    "stars": stars,
    "level": level,
    "status": status,
    "notice": notice,
}
