"""The events notification consumes, each turned into one in-app notification (and a mail
for payments and teacher verification). The shared consumer inbox makes a redelivered
event a no-op, so each handler runs once per event."""

from __future__ import annotations

from collections.abc import Mapping

import asyncpg
from edu_common.events.consumer import Handler
from edu_common.events.contracts import (
    EnrollmentCompleted,
    EnrollmentCreated,
    Event,
    PaymentCompleted,
    TeacherVerified,
    UserRegistered,
)
from edu_common.mail import queue_mail

from notification.notifications.mails import format_amount, receipt_mail, teacher_verified_mail
from notification.notifications.repository import NotificationRepository
from notification.recipients.repository import RecipientRepository

CONSUMER = "notification-inbox"


async def on_user_registered(conn: asyncpg.Connection, event: UserRegistered) -> None:
    await RecipientRepository(conn).upsert(event.user_id, event.email, event.name)
    await NotificationRepository(conn).add(
        event.user_id,
        "welcome",
        "Welcome to EduPlatform",
        f"Hello {event.name}, your account is ready. Find a course and start learning.",
    )


async def on_enrollment_created(conn: asyncpg.Connection, event: EnrollmentCreated) -> None:
    await NotificationRepository(conn).add(
        event.student_id,
        "enrollment_confirmed",
        "Enrollment confirmed",
        f'You are enrolled in "{event.course_title}".',
        {"course_id": str(event.course_id), "course_title": event.course_title},
    )


async def on_payment_completed(conn: asyncpg.Connection, event: PaymentCompleted) -> None:
    amount = format_amount(event.amount_cents, event.currency)
    await NotificationRepository(conn).add(
        event.student_id,
        "payment_receipt",
        "Payment received",
        f'We received your payment of {amount} for "{event.course_title}".',
        {
            "payment_id": str(event.payment_id),
            "course_id": str(event.course_id),
            "course_title": event.course_title,
            "amount_cents": event.amount_cents,
            "currency": event.currency,
        },
    )
    # The receipt mail needs an address, which only registration announces.
    recipient = await RecipientRepository(conn).get(event.student_id)
    if recipient is not None:
        subject, body = receipt_mail(
            recipient.name, event.course_title, amount, str(event.payment_id)
        )
        await queue_mail(conn, recipient.email, subject, body)


async def on_enrollment_completed(conn: asyncpg.Connection, event: EnrollmentCompleted) -> None:
    await NotificationRepository(conn).add(
        event.student_id,
        "course_completed",
        "Course completed",
        f'Congratulations, you completed "{event.course_title}".',
        {"course_id": str(event.course_id), "course_title": event.course_title},
    )


async def on_teacher_verified(conn: asyncpg.Connection, event: TeacherVerified) -> None:
    await RecipientRepository(conn).upsert(event.user_id, event.email, event.name)
    await NotificationRepository(conn).add(
        event.user_id,
        "teacher_verified",
        "Your teacher account is verified",
        "An administrator verified your account: you can now publish courses.",
    )
    subject, body = teacher_verified_mail(event.name)
    await queue_mail(conn, event.email, subject, body)


HANDLERS: Mapping[type[Event], Handler] = {
    UserRegistered: on_user_registered,
    EnrollmentCreated: on_enrollment_created,
    PaymentCompleted: on_payment_completed,
    EnrollmentCompleted: on_enrollment_completed,
    TeacherVerified: on_teacher_verified,
}
