"""Who is asking: the session cookie read once per request, the session written back."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.clients.errors import Forbidden, ServiceError, ServiceUnavailable
from web.clients.identity import TokenPair
from web.clients.notification import NotificationClient
from web.navigation import login_url, redirect
from web.sessions import SessionStore, SignedIn, form_token, new_session_id, valid_session_id
from web.settings import WebSettings

logger = logging.getLogger("edu.web.visitor")


class Visitor:
    """The visitor of one request: anonymous or signed in, with the session id (if any)."""

    def __init__(self, store: SessionStore, settings: WebSettings, session_id: str | None) -> None:
        self.store = store
        self.settings = settings
        self.session_id = session_id
        self.signed_in: SignedIn | None = None
        self.cookie_changed = False
        self._unread: asyncio.Task[int | None] | None = None

    @property
    def user(self) -> SignedIn | None:
        return self.signed_in

    def ensure_id(self) -> str:
        if self.session_id is None:
            self.session_id = new_session_id()
            self.cookie_changed = True
        return self.session_id

    @property
    def csrf_token(self) -> str:
        return form_token(self.settings.secret_key, self.ensure_id())

    async def token(self) -> str | None:
        """A usable access token, refreshed if needed; None for anonymous visitors and for a
        session whose refresh token has run out (which then ends)."""
        if self.signed_in is None or self.session_id is None:
            return None
        fresh = await self.store.fresh_access_token(self.session_id, self.signed_in)
        self.signed_in = fresh
        return fresh.access_token if fresh else None

    async def refreshed_token(self) -> str | None:
        """A new access token now, carrying the user's current role and verification (an
        admin may have verified this teacher since the last one was issued)."""
        if self.signed_in is None or self.session_id is None:
            return None
        fresh = await self.store.fresh_access_token(self.session_id, self.signed_in, force=True)
        self.signed_in = fresh
        return fresh.access_token if fresh else None

    async def sign_in(self, tokens: TokenPair) -> None:
        if self.session_id is not None and self.signed_in is not None:
            await self.store.delete(self.session_id)
        self.session_id = new_session_id()
        self.cookie_changed = True
        self.signed_in = SignedIn.from_tokens(tokens)
        await self.store.save(self.session_id, self.signed_in)

    async def update(self, tokens: TokenPair) -> None:
        """Keeps the session, with what identity now says about the user."""
        if self.session_id is None:
            await self.sign_in(tokens)
            return
        self.signed_in = SignedIn.from_tokens(tokens)
        await self.store.save(self.session_id, self.signed_in)

    async def sign_out(self) -> SignedIn | None:
        ended = self.signed_in
        if self.session_id is not None:
            await self.store.delete(self.session_id)
        self.signed_in = None
        self.session_id = new_session_id()
        self.cookie_changed = True
        return ended

    def start_unread_count(self, notifications: NotificationClient) -> None:
        async def count() -> int | None:
            token = await self.token()
            if token is None:
                return None
            try:
                page = await notifications.mine(token, limit=1)
            except (ServiceUnavailable, ServiceError):
                return None
            return page.unread_count

        self._unread = asyncio.create_task(count())

    async def unread_count(self) -> int | None:
        if self._unread is None:
            return None
        return await self._unread

    def discard(self) -> None:
        if self._unread is not None and not self._unread.done():
            self._unread.cancel()


def visitor_of(request: Request) -> Visitor:
    visitor: Visitor | None = getattr(request.state, "visitor", None)
    if visitor is None:  # a path the middleware skips, such as an unknown /static/ file
        state = request.app.state
        visitor = Visitor(state.sessions, state.settings, None)
        request.state.visitor = visitor
    return visitor


async def signed_in_token(
    request: Request, allowed: Callable[[SignedIn], bool], refusal: str
) -> str | Response:
    """The visitor's access token for a page that needs a role: a redirect to log in (and
    back) for a visitor who is not signed in, a 403 `refusal` for one `allowed` refuses."""
    visitor = visitor_of(request)
    token = await visitor.token()
    if token is None or visitor.user is None:
        return redirect(request, login_url(request))
    if not allowed(visitor.user):
        raise Forbidden("web", 403, refusal)
    return token


class VisitorMiddleware:
    """Loads the visitor before the route runs and sets the session cookie after."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(("/static/", "/health", "/metrics")):
            await self.app(scope, receive, send)
            return
        state: Any = scope["app"].state
        settings: WebSettings = state.settings
        request = Request(scope)
        cookie = request.cookies.get(settings.session_cookie)
        visitor = Visitor(state.sessions, settings, cookie if valid_session_id(cookie) else None)
        if visitor.session_id is not None:
            visitor.signed_in = await state.sessions.load(visitor.session_id)
        full_page = scope["method"] == "GET" and "hx-request" not in request.headers
        if visitor.signed_in is not None and full_page:
            visitor.start_unread_count(state.clients.notification)
        scope.setdefault("state", {})["visitor"] = visitor

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and visitor.cookie_changed:
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", _cookie(settings, visitor.ensure_id()).encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            visitor.discard()


def _cookie(settings: WebSettings, session_id: str) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[settings.session_cookie] = session_id
    morsel = cookie[settings.session_cookie]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    morsel["max-age"] = settings.session_ttl_seconds
    if settings.secure_cookies:
        morsel["secure"] = True
    return morsel.OutputString()
