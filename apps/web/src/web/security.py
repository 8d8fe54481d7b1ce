"""Security headers on every response, and the cross-site request checks (CSRF)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.sessions import form_token_valid
from web.settings import WebSettings
from web.timing import RequestTiming, current_timing
from web.video import FRAME_SOURCES

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-src " + " ".join(FRAME_SOURCES),
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SecurityHeadersMiddleware:
    """Adds the security headers and `Server-Timing` (total time and time spent waiting on
    each service) to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        timing = RequestTiming()
        reset = current_timing.set(timing)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.extend(SECURITY_HEADERS)
                headers.append((b"server-timing", timing.header().encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            current_timing.reset(reset)


class CrossSiteRefused(Exception):  # noqa: N818 - a refusal the error page renders
    """A state-changing request that did not come from our own pages."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request: Request, settings: WebSettings) -> set[str]:
    own = {_origin_of(settings.public_url)}
    host = request.headers.get("host")
    if host:
        own.add(f"{request.url.scheme}://{host}".lower())
    return own


async def refuse_cross_site(request: Request) -> None:
    """Every state-changing request: refused when the browser says it came from another
    site, or from a foreign Origin, or without this session's form token."""
    if request.method in SAFE_METHODS:
        return
    settings: WebSettings = request.app.state.settings
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise CrossSiteRefused("cross-site request")
    origin = request.headers.get("origin")
    if origin is not None and origin.lower() not in allowed_origins(request, settings):
        raise CrossSiteRefused("foreign origin")
    token = request.headers.get(CSRF_HEADER)
    if token is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            token = value if isinstance(value, str) else None
    session_id = request.state.visitor.session_id
    if not form_token_valid(settings.secret_key, session_id, token):
        raise CrossSiteRefused("missing or wrong form token")
