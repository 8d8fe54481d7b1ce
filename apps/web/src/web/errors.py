"""Error pages: 404, 403, 503 (a part of the platform is down), each with a way back."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from redis.exceptions import RedisError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from web.clients.errors import Forbidden, NotFound, ServiceUnavailable, Unauthorized
from web.i18n import N_
from web.i18n import gettext_ as _
from web.navigation import login_url, redirect
from web.security import CrossSiteRefused
from web.templating import pages_of

logger = logging.getLogger("edu.web.errors")

SERVICE_NAMES = {
    "identity": N_("Accounts"),
    "course": N_("Courses"),
    "enrollment": N_("Enrollments and progress"),
    "payment": N_("Payments"),
    "notification": N_("Notifications"),
    "sessions": N_("Sign-in"),
}


async def error_page(
    request: Request,
    status: int,
    title: str,
    message: str,
    *,
    retry: bool = False,
    retry_after: int = 5,
) -> Response:
    headers = {"Retry-After": str(retry_after)} if status == 503 else None
    return await pages_of(request).render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message, "retry": retry},
        status_code=status,
        headers=headers,
    )


def service_name(service: str) -> str:
    return _(SERVICE_NAMES.get(service, service))


async def _unavailable(request: Request, exc: Exception) -> Response:
    service = exc.service if isinstance(exc, ServiceUnavailable) else "sessions"
    timed_out = isinstance(exc, ServiceUnavailable) and exc.timed_out
    logger.warning("service unavailable", extra={"service": service, "timed_out": timed_out})
    message = (
        _("%(part)s did not answer in time. Please try again in a moment.")
        if timed_out
        else _("%(part)s is not available right now. Please try again in a moment.")
    ) % {"part": service_name(service)}
    return await error_page(request, 503, _("Part of the platform is down"), message, retry=True)


async def refuse_overloaded(scope: Scope, receive: Receive, send: Send, retry_after: int) -> None:
    """The page a visitor gets when the web app sheds load (`edu_common.overload`)."""
    page = await error_page(
        Request(scope, receive),
        503,
        _("The platform is busy"),
        _("Too many people are using the platform at once. Please try again in a moment."),
        retry=True,
        retry_after=retry_after,
    )
    await page(scope, receive, send)


async def _not_found(request: Request, _exc: Exception) -> Response:
    return await error_page(
        request, 404, _("Page not found"), _("There is nothing at this address.")
    )


async def _forbidden(request: Request, _exc: Exception) -> Response:
    return await error_page(
        request, 403, _("Not allowed"), _("You do not have access to this page.")
    )


async def _cross_site(request: Request, _exc: Exception) -> Response:
    return await error_page(
        request,
        403,
        _("Request refused"),
        _(
            "This form was sent from another site or has expired. Go back, reload the page "
            "and try again."
        ),
    )


async def _unauthorized(request: Request, _exc: Exception) -> Response:
    return redirect(request, login_url(request))


async def _http(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 404:
        return await _not_found(request, exc)
    if status == 403:
        return await _forbidden(request, exc)
    if status == 405:
        return await error_page(
            request, 405, _("Not allowed"), _("This address does not accept that request.")
        )
    return await error_page(request, status, _("Something went wrong"), _("Please try again."))


def install_error_pages(app: FastAPI) -> None:
    app.add_exception_handler(ServiceUnavailable, _unavailable)
    app.add_exception_handler(RedisError, _unavailable)
    app.add_exception_handler(NotFound, _not_found)
    app.add_exception_handler(Forbidden, _forbidden)
    app.add_exception_handler(Unauthorized, _unauthorized)
    app.add_exception_handler(CrossSiteRefused, _cross_site)
    app.add_exception_handler(HTTPException, _http)
