"""Services running together, as in production: events travel through each service's outbox,
NATS JetStream and durable consumers; enrollment asks payment over HTTP (in process) when a
payment event is late.

Only the tests here start more than one service; each service's own tests import only that
service and `edu_common`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from edu_common.events.contracts import CourseCreated, Event
from edu_devstack.processes import free_port
from edu_devstack.testing import course_created
from enrollment.app import MIGRATIONS, create_app
from enrollment.courses.repository import COURSES
from enrollment.payments.client import PaymentStatusClient
from enrollment.settings import EnrollmentSettings
from nats.js.errors import NotFoundError
from notification.app import MIGRATIONS as NOTIFICATION_MIGRATIONS
from notification.app import create_app as create_notification_app
from notification.settings import NotificationSettings
from payment.app import MIGRATIONS as PAYMENT_MIGRATIONS
from payment.app import create_app as create_payment_app
from payment.courses.repository import COURSES as PAYMENT_COURSES
from payment.settings import PaymentSettings

# Durable consumers, by service, whose backlog `settle` waits out.
CONSUMERS = {
    "enrollment": ("enrollment-courses", "enrollment-payments"),
    "payment": ("payment-courses",),
    "notification": ("notification-inbox",),
}


@pytest.fixture
async def enrollment(services: Any) -> Any:
    return await services.start("enrollment", create_app, EnrollmentSettings, MIGRATIONS)


@pytest.fixture
async def payment(services: Any) -> Any:
    """The real payment app, beside enrollment (the same event namespace)."""
    return await services.start("payment", create_payment_app, PaymentSettings, PAYMENT_MIGRATIONS)


@pytest.fixture
async def reach_payment(tokens: Any) -> AsyncIterator[Callable[..., None]]:
    """Points an enrollment app's payment status calls at a running payment app (in process,
    through an ASGI transport), with a service token or the one given."""
    clients: list[httpx.AsyncClient] = []

    def connect(enrollment: Any, payment: Any, headers: dict[str, str] | None = None) -> None:
        if headers is None:
            _, headers = tokens.service()
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=payment.app), base_url="http://payment.test"
        )
        clients.append(http)
        token = headers["Authorization"].removeprefix("Bearer ")
        timeout = enrollment.settings.payment_timeout_seconds
        enrollment.app.state.payment_status = PaymentStatusClient(http, token, timeout)

    yield connect
    for http in clients:
        await http.aclose()


@pytest.fixture
def add_paid_course(payment: Any) -> Any:
    """Puts a paid course in payment's projection and in each enrollment app's given."""

    async def make(*enrollments: Any, price_cents: int = 2500, **fields: Any) -> CourseCreated:
        event = course_created(price_cents, **fields)
        async with payment.pool.acquire() as conn:
            await PAYMENT_COURSES.apply(conn, event)
        for enrollment in enrollments:
            async with enrollment.pool.acquire() as conn:
                await COURSES.apply(conn, event)
        return event

    return make


@dataclass
class Platform:
    payment: Any
    enrollment: Any
    notification: Any
    eventually: Callable[..., Awaitable[None]]

    def all(self) -> tuple[Any, Any, Any]:
        return self.payment, self.enrollment, self.notification

    async def publish(self, event: Event, msg_id: str | None = None) -> None:
        """Publishes on the shared bus, as a publisher's outbox relay would."""
        bus = self.enrollment.app.state.event_bus
        await bus.publish(
            event.subject, event.model_dump_json().encode(), msg_id=msg_id or str(event.event_id)
        )

    async def add_course(self, price_cents: int = 2500, lessons: int = 3, **fields: Any) -> Any:
        """A course announced by the course service, known to payment and enrollment."""
        event = course_created(price_cents, lessons, **{"title": "Data Pipelines", **fields})
        await self.publish(event)

        async def known() -> bool:
            query = "SELECT revision FROM courses WHERE id = $1"
            for service in (self.payment, self.enrollment):
                if await service.pool.fetchval(query, event.course_id) != event.revision:
                    return False
            return True

        await self.eventually(known)
        return event

    async def settle(self) -> None:
        """Waits until every outbox is published and every consumer has acknowledged all it
        was sent, so counts taken afterwards are final."""
        bus = self.enrollment.app.state.event_bus

        async def quiet() -> bool:
            for service in self.all():
                unpublished = await service.pool.fetchval(
                    "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                )
                if unpublished:
                    return False
                for consumer in CONSUMERS[service.name]:
                    info = await bus.js.consumer_info(bus.stream, consumer)
                    if info.num_pending or info.num_ack_pending:
                        return False
            return True

        await self.eventually(quiet, timeout=30)

    async def notifications(self, headers: dict[str, str], type_: str) -> list[dict[str, Any]]:
        r = await self.notification.client.get("/notifications/me?limit=100", headers=headers)
        assert r.status_code == 200, r.text
        return [n for n in r.json()["items"] if n["type"] == type_]

    async def enrollments(self, headers: dict[str, str]) -> list[dict[str, Any]]:
        r = await self.enrollment.client.get("/enrollments/me", headers=headers)
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items


@pytest.fixture
async def platform(
    services: Any, payment: Any, reach_payment: Any, eventually: Any, tokens: Any
) -> Platform:
    _, service = tokens.service()
    enrollment = await services.start(
        "enrollment",
        create_app,
        EnrollmentSettings,
        MIGRATIONS,
        service_token=service["Authorization"].removeprefix("Bearer "),
        # Payment answers here; a loaded machine must not turn that into a timeout.
        payment_timeout_seconds=5.0,
    )
    reach_payment(enrollment, payment, service)
    notification = await services.start(
        "notification",
        create_notification_app,
        NotificationSettings,
        NOTIFICATION_MIGRATIONS,
        # No mail is queued here (no student registered); nothing listens on this port.
        smtp_port=free_port(),
    )
    # The durable consumers exist before any test publishes.
    platform = Platform(payment, enrollment, notification, eventually)

    async def consumers_exist() -> bool:
        bus = enrollment.app.state.event_bus
        try:
            for names in CONSUMERS.values():
                for name in names:
                    await bus.js.consumer_info(bus.stream, name)
        except NotFoundError:
            return False
        return True

    await eventually(consumers_exist)
    return platform
