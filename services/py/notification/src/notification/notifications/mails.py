"""The mails notification sends."""

from __future__ import annotations


def format_amount(amount_cents: int, currency: str) -> str:
    return f"{amount_cents // 100}.{amount_cents % 100:02d} {currency.upper()}"


def receipt_mail(name: str, course_title: str, amount: str, payment_id: str) -> tuple[str, str]:
    body = (
        f"Hello {name},\n\n"
        f'Thank you for your payment of {amount} for the course "{course_title}".\n\n'
        f"Payment reference: {payment_id}\n\n"
        "You can start learning right away from your dashboard.\n"
    )
    # A header never carries a line break, whatever the title holds.
    return f"Your receipt for {' '.join(course_title.split())}", body


def teacher_verified_mail(name: str) -> tuple[str, str]:
    body = (
        f"Hello {name},\n\n"
        "An administrator has verified your teacher account on EduPlatform. You can now "
        "publish courses.\n"
    )
    return "Your teacher account is verified", body
