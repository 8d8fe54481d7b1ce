"""What the platform promises, end to end: payment, enrollment and notification together on
real PostgreSQL and NATS JetStream, the bus stopped and restarted where it matters."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from edu_common.events.contracts import (
    EnrollmentCompleted,
    EnrollmentCreated,
    LessonCreated,
    PaymentCompleted,
)
from payment.payments.provider import MockPaymentProvider


async def _pay(platform: Any, course: Any, headers: dict[str, str], **extra: Any) -> Any:
    return await platform.payment.client.post(
        "/payments", json={"course_id": str(course.course_id), **extra}, headers=headers
    )


async def _enroll(platform: Any, course: Any, headers: dict[str, str], **extra: Any) -> Any:
    return await platform.enrollment.client.post(
        "/enrollments", json={"course_id": str(course.course_id), **extra}, headers=headers
    )


async def _count(service: Any, query: str, *args: Any) -> int:
    value: int = await service.pool.fetchval(query, *args)
    return value


async def _bus_down(edu_servers: Any, platform: Any) -> None:
    await asyncio.to_thread(edu_servers.nats.stop)

    async def disconnected() -> bool:
        return not any(s.app.state.event_bus.is_connected for s in platform.all())

    await platform.eventually(disconnected)


async def _bus_up(edu_servers: Any) -> None:
    await asyncio.to_thread(edu_servers.nats.start)


async def _assert_once_each(platform: Any, headers: dict[str, str], course: Any) -> None:
    """After everything settled: one enrollment, one receipt, one confirmation."""
    await platform.settle()
    [enrollment] = await platform.enrollments(headers)
    assert enrollment["course_id"] == str(course.course_id)
    assert len(await platform.notifications(headers, "payment_receipt")) == 1
    assert len(await platform.notifications(headers, "enrollment_confirmed")) == 1
    created = await _count(
        platform.enrollment,
        "SELECT count(*) FROM outbox WHERE subject = $1",
        EnrollmentCreated.subject,
    )
    assert created == 1


async def test_payment_made_while_the_bus_is_down_enrolls_once_it_is_back(
    platform: Any, tokens: Any, edu_servers: Any
) -> None:
    course = await platform.add_course()
    _, headers = tokens.student()
    try:
        await _bus_down(edu_servers, platform)
        r = await _pay(platform, course, headers)
        assert r.status_code == 201, r.text

        # Stored, not yet sent: the relay has tried and failed, nobody has heard of it.
        async def tried() -> bool:
            attempts = await _count(
                platform.payment,
                "SELECT coalesce(max(attempts), 0) FROM outbox WHERE published_at IS NULL",
            )
            return attempts > 0

        await platform.eventually(tried)
        unsent = await _count(
            platform.payment, "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )
        assert unsent == 1
        assert await platform.enrollments(headers) == []
        assert await platform.notifications(headers, "payment_receipt") == []
    finally:
        await _bus_up(edu_servers)

    async def enrolled_and_told() -> bool:
        return bool(
            await platform.enrollments(headers)
            and await platform.notifications(headers, "payment_receipt")
            and await platform.notifications(headers, "enrollment_confirmed")
        )

    await platform.eventually(enrolled_and_told, timeout=40)
    await _assert_once_each(platform, headers, course)


async def test_student_enrolling_while_the_payment_event_is_stuck_gets_201(
    platform: Any, tokens: Any, edu_servers: Any
) -> None:
    course = await platform.add_course()
    student_id, headers = tokens.student()
    try:
        await _bus_down(edu_servers, platform)
        assert (await _pay(platform, course, headers)).status_code == 201
        # Enrollment never got the event; it asks payment and enrolls the student.
        r = await _enroll(platform, course, headers)
        assert r.status_code == 201, r.text
        assert r.json()["student_id"] == str(student_id)
        # Another student, who did not pay, is still refused.
        _, other = tokens.student()
        r = await _enroll(platform, course, other)
        assert r.status_code == 402
        assert r.json()["code"] == "payment_required"
    finally:
        await _bus_up(edu_servers)

    async def told() -> bool:
        return bool(
            await platform.notifications(headers, "payment_receipt")
            and await platform.notifications(headers, "enrollment_confirmed")
        )

    await platform.eventually(told, timeout=40)
    # Notification hearing of the payment does not mean enrollment has yet: wait until every
    # consumer acknowledged what it was sent, then count.
    await platform.settle()
    # The late payment event was applied, and found the student enrolled already.
    handled = await _count(
        platform.enrollment,
        "SELECT count(*) FROM processed_events WHERE consumer = 'enrollment-payments'",
    )
    assert handled == 1
    await _assert_once_each(platform, headers, course)


async def test_redelivered_events_have_one_effect(platform: Any, tokens: Any) -> None:
    course = await platform.add_course()
    _, headers = tokens.student()
    assert (await _pay(platform, course, headers)).status_code == 201

    async def enrolled_and_told() -> bool:
        return bool(
            await platform.notifications(headers, "payment_receipt")
            and await platform.notifications(headers, "enrollment_confirmed")
        )

    await platform.eventually(enrolled_and_told)
    await platform.settle()
    paid = await platform.payment.pool.fetchval(
        "SELECT payload FROM outbox WHERE subject = $1", PaymentCompleted.subject
    )
    created = await platform.enrollment.pool.fetchval(
        "SELECT payload FROM outbox WHERE subject = $1", EnrollmentCreated.subject
    )
    for payload, cls in ((paid, PaymentCompleted), (created, EnrollmentCreated)):
        event = cls.model_validate(payload)
        # The same event id under new message ids: JetStream stores each copy and delivers
        # it again, as after a relay crash between publishing and marking its row.
        for _ in range(2):
            await platform.publish(event, msg_id=str(uuid.uuid4()))
    await platform.settle()
    await _assert_once_each(platform, headers, course)
    # Each consumer saw the repeats and applied each event once: enrollment one payment,
    # notification one payment and one enrollment.
    for service, consumer, events in (
        (platform.enrollment, "enrollment-payments", 1),
        (platform.notification, "notification-inbox", 2),
    ):
        applied = await _count(
            service, "SELECT count(*) FROM processed_events WHERE consumer = $1", consumer
        )
        assert applied == events


async def test_twenty_identical_payments_with_one_key_pay_and_enroll_once(
    platform: Any, tokens: Any
) -> None:
    course = await platform.add_course()
    _, headers = tokens.student()
    keyed = {**headers, "Idempotency-Key": str(uuid.uuid4())}
    responses = await asyncio.gather(*(_pay(platform, course, keyed) for _ in range(20)))
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await _count(platform.payment, "SELECT count(*) FROM payments") == 1

    async def enrolled() -> bool:
        return bool(await platform.enrollments(headers))

    await platform.eventually(enrolled)
    await _assert_once_each(platform, headers, course)


async def test_twenty_payments_without_a_key_pay_once(platform: Any, tokens: Any) -> None:
    course = await platform.add_course()
    _, headers = tokens.student()
    responses = await asyncio.gather(*(_pay(platform, course, headers) for _ in range(20)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_paid"}
    assert await _count(platform.payment, "SELECT count(*) FROM payments") == 1
    await _assert_once_each(platform, headers, course)


async def test_twenty_enrollments_racing_the_payment_event_enroll_once(
    platform: Any, tokens: Any
) -> None:
    course = await platform.add_course()
    _, headers = tokens.student()
    assert (await _pay(platform, course, headers)).status_code == 201
    # The event and the client race: the client wins once at most, the rest is a 409.
    responses = await asyncio.gather(*(_enroll(platform, course, headers) for _ in range(20)))
    statuses = [r.status_code for r in responses]
    assert statuses.count(201) <= 1
    assert statuses.count(409) == 20 - statuses.count(201)
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_enrolled"}
    await _assert_once_each(platform, headers, course)


async def test_twenty_enrollments_in_a_free_course_enroll_once(platform: Any, tokens: Any) -> None:
    course = await platform.add_course(price_cents=0)
    _, headers = tokens.student()
    responses = await asyncio.gather(*(_enroll(platform, course, headers) for _ in range(20)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 19
    await platform.settle()
    assert len(await platform.enrollments(headers)) == 1
    assert len(await platform.notifications(headers, "enrollment_confirmed")) == 1
    r = await platform.enrollment.client.get(f"/enrollments/course/{course.course_id}/count")
    assert r.json()["count"] == 1


async def test_no_enrollment_in_a_paid_course_without_ones_own_payment(
    platform: Any, tokens: Any
) -> None:
    course = await platform.add_course(price_cents=3900)
    victim_id, victim = tokens.student()

    # A declined card leaves no payment and no way in.
    platform.payment.app.state.payment_provider = MockPaymentProvider(declines=True)
    r = await _pay(platform, course, victim)
    assert r.status_code == 402
    assert r.json()["code"] == "payment_declined"
    platform.payment.app.state.payment_provider = MockPaymentProvider()
    assert (await _enroll(platform, course, victim)).status_code == 402

    # Someone else pays, naming the victim and a price of their own: the payment is theirs,
    # at the course's price, and opens the course to them only.
    payer_id, payer = tokens.student()
    r = await _pay(
        platform,
        course,
        payer,
        student_id=str(victim_id),
        amount_cents=0,
        status="completed",
    )
    assert r.status_code == 201, r.text
    assert r.json()["student_id"] == str(payer_id)
    assert r.json()["amount_cents"] == 3900
    payment_id = r.json()["id"]

    # The victim, claiming that payment, an owner or a status in the body, is still refused.
    r = await _enroll(
        platform,
        course,
        victim,
        payment_id=payment_id,
        student_id=str(payer_id),
        status="completed",
        amount_cents=0,
    )
    assert r.status_code == 402
    assert r.json()["code"] == "payment_required"
    await platform.settle()
    assert await platform.enrollments(victim) == []
    assert await platform.notifications(victim, "payment_receipt") == []
    assert len(await platform.enrollments(payer)) == 1
    r = await platform.enrollment.client.get(f"/enrollments/course/{course.course_id}/count")
    assert r.json()["count"] == 1
    # The payer's body never enrolled anyone else either.
    rows = await platform.enrollment.pool.fetch("SELECT student_id FROM enrollments")
    assert [row["student_id"] for row in rows] == [payer_id]


async def test_progress_completion_and_a_lesson_added_afterwards(
    platform: Any, tokens: Any
) -> None:
    course = await platform.add_course(price_cents=0, lessons=3)
    _, headers = tokens.student()
    assert (await _enroll(platform, course, headers)).status_code == 201
    client = platform.enrollment.client
    first, second, third = course.lesson_ids
    for lesson in (first, first, second):
        r = await client.post(f"/progress/lessons/{lesson}/complete", headers=headers)
        assert r.status_code == 200
    assert r.json()["percent"] == 66  # 2 of 3, rounded down
    responses = await asyncio.gather(
        *(client.post(f"/progress/lessons/{third}/complete", headers=headers) for _ in range(5))
    )
    assert {r.json()["status"] for r in responses} == {"completed"}

    async def congratulated() -> bool:
        return bool(await platform.notifications(headers, "course_completed"))

    await platform.eventually(congratulated)

    # The teacher adds a fourth lesson: progress reads count it at once; the enrollment
    # stays completed (it was, and the student was told so once).
    added = uuid.uuid4()
    lessons = [*course.lesson_ids, added]
    await platform.publish(
        LessonCreated(
            **{
                **course.model_dump(exclude={"event_id"}),
                "lesson_ids": lessons,
                "lesson_id": added,
                "revision": 2,
            }
        )
    )

    async def four_lessons() -> bool:
        r = await client.get(f"/progress/courses/{course.course_id}", headers=headers)
        return bool(r.json()["total_lessons"] == 4)

    await platform.eventually(four_lessons)
    r = await client.get(f"/progress/courses/{course.course_id}", headers=headers)
    assert r.json()["percent"] == 75
    assert r.json()["status"] == "completed"
    [item] = await platform.enrollments(headers)
    assert item["progress_percent"] == 75
    assert item["status"] == "completed"
    completed_at = item["completed_at"]
    assert completed_at is not None

    r = await client.post(f"/progress/lessons/{added}/complete", headers=headers)
    assert r.json()["percent"] == 100
    assert r.json()["completed_lessons"] == 4
    await platform.settle()
    assert len(await platform.notifications(headers, "course_completed")) == 1
    [item] = await platform.enrollments(headers)
    assert item["completed_at"] == completed_at
    announced = await _count(
        platform.enrollment,
        "SELECT count(*) FROM outbox WHERE subject = $1",
        EnrollmentCompleted.subject,
    )
    assert announced == 1
