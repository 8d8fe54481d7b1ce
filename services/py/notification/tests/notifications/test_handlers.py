from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conftest import Deliver, Inbox
    from edu_common.events.contracts import Event


import asyncio
import uuid
from datetime import UTC, datetime

from edu_common.events.contracts import (
    EnrollmentCompleted,
    EnrollmentCreated,
    PaymentCompleted,
    TeacherVerified,
    UserRegistered,
)
from edu_devstack.testing import Mailbox, RunningService, Tokens


async def _twice(deliver: Deliver, event: Event) -> None:
    await deliver(event)
    await deliver(event)


async def _settle(notification: RunningService, consumer: str = "notification-inbox") -> None:
    """Waits until the consumer has acknowledged every message published so far: its ack
    floor reaches the stream's last sequence (repeats included, which change nothing else)."""
    bus = notification.app.state.event_bus
    last = (await bus.js.stream_info(bus.stream)).state.last_seq
    for _ in range(200):
        info = await bus.js.consumer_info(bus.stream, consumer)
        if info.ack_floor.stream_seq >= last and info.num_ack_pending == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"events up to {last} not all acknowledged: {info}")


async def _mail_sent(notification: RunningService, recipient: str) -> int:
    """Waits until the sender has sent every queued mail; returns how many went to
    `recipient`. The fake server has each one when its row is marked sent."""
    for _ in range(200):
        row = await notification.pool.fetchrow(
            "SELECT count(*) FILTER (WHERE sent_at IS NULL) AS unsent,"
            " count(*) FILTER (WHERE recipient = $1) AS to_recipient FROM mail_outbox",
            recipient,
        )
        if row["unsent"] == 0:
            sent: int = row["to_recipient"]
            return sent
        await asyncio.sleep(0.05)
    raise AssertionError("mail still unsent")


async def test_registration_welcomes_once(
    deliver: Deliver, inbox: Inbox, notification: RunningService, tokens: Tokens
) -> None:
    user_id, headers = tokens.student()
    event = UserRegistered(user_id=user_id, email="new@example.com", name="Ada", role="student")
    await _twice(deliver, event)
    found = await inbox(headers, "welcome")
    await _settle(notification)
    assert len(await inbox(headers, "welcome")) == 1
    assert "Ada" in found[0]["body"]
    assert found[0]["is_read"] is False


async def test_enrollment_is_confirmed_once(
    deliver: Deliver, inbox: Inbox, notification: RunningService, tokens: Tokens
) -> None:
    user_id, headers = tokens.student()
    course_id = uuid.uuid4()
    event = EnrollmentCreated(
        enrollment_id=uuid.uuid4(),
        course_id=course_id,
        student_id=user_id,
        course_title="Python Basics",
    )
    await _twice(deliver, event)
    found = await inbox(headers, "enrollment_confirmed")
    await _settle(notification)
    found = await inbox(headers, "enrollment_confirmed")
    assert len(found) == 1
    assert found[0]["data"] == {"course_id": str(course_id), "course_title": "Python Basics"}


async def test_completion_is_celebrated_once(
    deliver: Deliver, inbox: Inbox, notification: RunningService, tokens: Tokens
) -> None:
    user_id, headers = tokens.student()
    course_id = uuid.uuid4()
    event = EnrollmentCompleted(
        enrollment_id=uuid.uuid4(),
        course_id=course_id,
        student_id=user_id,
        course_title="Python Basics",
        completed_at=datetime.now(UTC),
    )
    await _twice(deliver, event)
    await inbox(headers, "course_completed")
    await _settle(notification)
    found = await inbox(headers, "course_completed")
    assert len(found) == 1
    assert found[0]["data"]["course_id"] == str(course_id)


async def test_payment_sends_one_receipt_to_a_known_student(
    deliver: Deliver, inbox: Inbox, notification: RunningService, tokens: Tokens, mailbox: Mailbox
) -> None:
    user_id, headers = tokens.student()
    address = f"payer-{user_id}@example.com"
    await deliver(UserRegistered(user_id=user_id, email=address, name="Grace", role="student"))
    await inbox(headers, "welcome")
    payment = PaymentCompleted(
        payment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        student_id=user_id,
        amount_cents=4999,
        currency="USD",
        course_title="Async Python",
    )
    await _twice(deliver, payment)
    await inbox(headers, "payment_receipt")
    await _settle(notification)
    found = await inbox(headers, "payment_receipt")
    assert len(found) == 1
    assert found[0]["data"]["payment_id"] == str(payment.payment_id)
    assert found[0]["data"]["amount_cents"] == 4999
    mails = await mailbox.wait_for(address, "receipt")
    assert "49.99 USD" in mails[0].body
    assert "Async Python" in mails[0].body
    assert "Grace" in mails[0].body
    assert await _mail_sent(notification, address) == 1
    assert len(mailbox.to(address, "receipt")) == 1


async def test_payment_of_an_unknown_student_notifies_without_mail(
    deliver: Deliver, inbox: Inbox, notification: RunningService, tokens: Tokens
) -> None:
    user_id, headers = tokens.student()
    payment = PaymentCompleted(
        payment_id=uuid.uuid4(),
        course_id=uuid.uuid4(),
        student_id=user_id,
        amount_cents=1000,
        currency="EUR",
        course_title="Data Science",
    )
    await deliver(payment)
    await inbox(headers, "payment_receipt")
    await _settle(notification)
    assert await notification.pool.fetchval("SELECT count(*) FROM mail_outbox") == 0


async def test_teacher_verification_notifies_and_mails_once(
    deliver: Deliver, inbox: Inbox, notification: RunningService, tokens: Tokens, mailbox: Mailbox
) -> None:
    user_id, headers = tokens.teacher()
    address = f"teacher-{user_id}@example.com"
    await _twice(deliver, TeacherVerified(user_id=user_id, email=address, name="Alan"))
    await inbox(headers, "teacher_verified")
    await _settle(notification)
    assert len(await inbox(headers, "teacher_verified")) == 1
    mails = await mailbox.wait_for(address, "verified")
    assert "Alan" in mails[0].body
    assert await _mail_sent(notification, address) == 1
    assert len(mailbox.to(address, "verified")) == 1
