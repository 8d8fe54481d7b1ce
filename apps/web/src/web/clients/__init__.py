"""Typed clients for the services, sharing one `httpx.AsyncClient`."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from starlette.requests import Request

from web.clients.course import CourseClient
from web.clients.enrollment import EnrollmentClient
from web.clients.identity import IdentityClient
from web.clients.notification import NotificationClient
from web.clients.payment import PaymentClient
from web.settings import WebSettings


@dataclass(frozen=True)
class Clients:
    identity: IdentityClient
    course: CourseClient
    enrollment: EnrollmentClient
    payment: PaymentClient
    notification: NotificationClient

    @classmethod
    def over(cls, http: httpx.AsyncClient, settings: WebSettings) -> Clients:
        return cls(
            IdentityClient(http, settings.identity_url),
            CourseClient(http, settings.course_url),
            EnrollmentClient(http, settings.enrollment_url),
            PaymentClient(http, settings.payment_url),
            NotificationClient(http, settings.notification_url),
        )


def shared_http_client(settings: WebSettings) -> httpx.AsyncClient:
    timeout = httpx.Timeout(
        settings.service_timeout_seconds, connect=settings.service_connect_timeout_seconds
    )
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    # The services are reached directly: no proxy from the environment sits in between.
    return httpx.AsyncClient(
        timeout=timeout, limits=limits, follow_redirects=False, trust_env=False
    )


def clients_of(request: Request) -> Clients:
    clients: Clients = request.app.state.clients
    return clients
