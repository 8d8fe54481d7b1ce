"""Fixtures every EduPlatform test suite shares (registered as a pytest plugin)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from aiosmtpd.controller import Controller
from edu_common.events.contracts import CourseCreated
from edu_common.security.keys import SigningKey
from edu_common.security.tokens import TokenSigner
from redis.asyncio import Redis

from edu_devstack.processes import free_port
from edu_devstack.testing import (
    Mailbox,
    ServiceLauncher,
    TestServers,
    Tokens,
    course_created,
    launcher,
)
from edu_devstack.testing.polling import Eventually, eventually


@pytest.fixture(scope="session")
def edu_servers() -> Iterator[TestServers]:
    """Embedded PostgreSQL, Valkey and NATS, started once for the whole test session."""
    servers = TestServers.start()
    try:
        yield servers
    finally:
        servers.stop()


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="session")
def tokens(signing_key: SigningKey) -> Tokens:
    signer = TokenSigner(
        signing_key, issuer="eduplatform-identity", audience="eduplatform", access_ttl_seconds=900
    )
    return Tokens(signer)


@pytest.fixture
async def services(
    edu_servers: TestServers, signing_key: SigningKey
) -> AsyncIterator[ServiceLauncher]:
    """Starts services for one test; they share an event namespace and a clean cache."""
    redis = Redis.from_url(edu_servers.valkey.url())
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()
    async with launcher(edu_servers, signing_key) as launch:
        yield launch


@pytest.fixture(name="course_event")
def course_event_fixture() -> Callable[..., CourseCreated]:
    """Makes the `CourseCreated` event of a new published course (`course_created`)."""
    return course_created


@pytest.fixture(name="eventually")
def eventually_fixture() -> Eventually:
    """`eventually(check, timeout=10, interval=0.05)`: polls until `check` returns something
    truthy and returns it (see `edu_devstack.testing.polling`)."""
    return eventually


@pytest.fixture(scope="session")
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp: tuple[Mailbox, int]) -> Mailbox:
    return smtp[0]
