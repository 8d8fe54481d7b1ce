"""`edu status`: each part of a stack, running or stopped, its port and readiness."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit, urlunsplit

import httpx

from edu_devstack.services import HOST
from edu_devstack.stack import Stack

# (part, running, port, readiness)
StatusRow = tuple[str, bool, int | None, str]


def stack_status(stack: Stack) -> list[StatusRow]:
    """A row for every part of the stack: the infrastructure, then each service."""
    settings = stack.settings
    rows: list[StatusRow] = []

    def infra(what: str, external: str | None, running: bool, port: int) -> None:
        if external:
            rows.append((what, True, None, f"external: {redact(external)}"))
        else:
            rows.append((what, running, port, port_state(port) if running else "-"))

    infra(
        "postgresql", settings.external_database, settings.postgres.is_running(), settings.pg_port
    )
    infra(
        "valkey",
        settings.external_redis,
        settings.valkey.process.is_running(),
        settings.valkey_port,
    )
    infra("nats", settings.external_nats, settings.nats.process.is_running(), settings.nats_port)
    infra("mailsink", None, stack.mailsink.is_running(), settings.smtp_port)
    with httpx.Client(timeout=2.0) as client:
        for service in settings.services:
            if not service.installed:
                rows.append((service.name, False, service.port, "not built yet"))
                continue
            running = service.process().is_running()
            readiness = "-"
            if running:
                try:
                    resp = client.get(f"{service.url}/health/ready")
                    code = resp.status_code
                    readiness = "ready" if code == 200 else f"not ready ({code})"
                except httpx.HTTPError as exc:
                    readiness = f"no answer ({type(exc).__name__})"
            rows.append((service.name, running, service.port, readiness))
    return rows


def port_state(port: int) -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return "accepting" if sock.connect_ex((HOST, port)) == 0 else "port closed"


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    return url
