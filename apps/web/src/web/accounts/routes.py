"""Accounts: forms keep what was typed and show the API's field errors next to each field."""

from __future__ import annotations

import contextlib
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.clients import clients_of
from web.clients.errors import Conflict, RateLimited, ServiceError, Unauthorized, ValidationFailed
from web.i18n import LANGUAGE_COOKIE, LANGUAGES
from web.i18n import gettext_ as _
from web.navigation import local_path, login_url, redirect
from web.templating import pages_of
from web.visitor import visitor_of

router = APIRouter()

ROLES = ("student", "teacher")


def _text(form: Any, name: str, limit: int = 300) -> str:
    value = form.get(name, "")
    return value[:limit] if isinstance(value, str) else ""


def _translate_fields(fields: dict[str, str]) -> dict[str, str]:
    """The API's messages, in the visitor's language where we know what they mean."""
    known = {
        "email": _("Enter a valid email address."),
        "password": _("Use at least 8 characters."),
        "new_password": _("Use at least 8 characters."),
        "name": _("Enter your name."),
    }
    return {name: known.get(name, message) for name, message in fields.items()}


async def _form(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response:
    base: dict[str, Any] = {"errors": {}, "form": {}, "error": None, "message": None}
    return await pages_of(request).render(
        request, template, {**base, **context}, status_code=status_code
    )


@router.get("/register", name="register")
async def register_form(request: Request) -> Response:
    role = request.query_params.get("role", "student")
    return await _form(
        request,
        "accounts/register.html",
        {
            "form": {"role": role if role in ROLES else "student"},
            "next": local_path(request.query_params.get("next")),
        },
    )


@router.post("/register")
async def register(request: Request) -> Response:
    form = await request.form()
    typed = {
        "name": _text(form, "name"),
        "email": _text(form, "email"),
        "role": _text(form, "role"),
    }
    next_url = local_path(_text(form, "next", 500))
    context: dict[str, Any] = {"form": typed, "next": next_url}
    if typed["role"] not in ROLES:
        context["errors"] = {"role": _("Choose student or teacher.")}
        return await _form(request, "accounts/register.html", context, 422)
    try:
        tokens = await clients_of(request).identity.register(
            email=typed["email"],
            password=_text(form, "password", 200),
            name=typed["name"],
            role="teacher" if typed["role"] == "teacher" else "student",
        )
    except ValidationFailed as exc:
        context["errors"] = _translate_fields(exc.fields)
        return await _form(request, "accounts/register.html", context, 422)
    except Conflict:
        context["errors"] = {"email": _("An account with this email already exists.")}
        return await _form(request, "accounts/register.html", context, 409)
    await visitor_of(request).sign_in(tokens)
    return redirect(request, next_url if next_url != "/" else "/?welcome=1")


@router.get("/login", name="login")
async def login_form(request: Request) -> Response:
    return await _form(
        request, "accounts/login.html", {"next": local_path(request.query_params.get("next"))}
    )


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form()
    typed = {"email": _text(form, "email")}
    next_url = local_path(_text(form, "next", 500))
    context: dict[str, Any] = {"form": typed, "next": next_url}
    try:
        tokens = await clients_of(request).identity.login(
            email=typed["email"], password=_text(form, "password", 200)
        )
    except (Unauthorized, ValidationFailed):
        context["error"] = _("The email or password is not right.")
        return await _form(request, "accounts/login.html", context, 401)
    except RateLimited as exc:
        context["error"] = _("Too many attempts. Try again in %(n)d seconds.") % {
            "n": exc.retry_after
        }
        return await _form(request, "accounts/login.html", context, 429)
    await visitor_of(request).sign_in(tokens)
    return redirect(request, next_url)


@router.post("/logout", name="logout")
async def logout(request: Request) -> Response:
    ended = await visitor_of(request).sign_out()
    if ended is not None:
        # Already revoked or expired: the session has ended either way.
        with contextlib.suppress(ServiceError):
            await clients_of(request).identity.logout(ended.refresh_token)
    return redirect(request, "/")


@router.get("/verify-email", name="verify_email")
async def verify_email(request: Request) -> Response:
    """The link identity mails: /verify-email?token=..."""
    token = request.query_params.get("token", "")[:200]
    ok = False
    if token:
        try:
            await clients_of(request).identity.verify_email(token)
            ok = True
        except ServiceError:
            ok = False
    visitor = visitor_of(request)
    if ok and visitor.user is not None:
        # The session learns the news at once, not at the next token refresh.
        access = await visitor.token()
        if access is not None:
            visitor.signed_in = visitor.user
            visitor.user.email_verified = True
            await visitor.store.save(visitor.ensure_id(), visitor.user)
    return await _form(request, "accounts/verified.html", {"ok": ok}, 200 if ok else 400)


@router.post("/verify-email/resend", name="resend_verification")
async def resend_verification(request: Request) -> Response:
    visitor = visitor_of(request)
    token = await visitor.token()
    if token is None:
        return redirect(request, login_url(request))
    message = _("We sent you a new link. Check your mail.")
    try:
        await clients_of(request).identity.resend_verification(token)
    except RateLimited:
        message = _("We have sent several links already. Please wait an hour and try again.")
    except Conflict:
        message = _("Your email address is already confirmed.")
    return await _form(request, "accounts/message.html", {"message": message})


@router.get("/forgot-password", name="forgot_password")
async def forgot_form(request: Request) -> Response:
    return await _form(request, "accounts/forgot.html", {})


@router.post("/forgot-password")
async def forgot(request: Request) -> Response:
    form = await request.form()
    typed = {"email": _text(form, "email")}
    try:
        await clients_of(request).identity.forgot_password(typed["email"])
    except ValidationFailed as exc:
        return await _form(
            request,
            "accounts/forgot.html",
            {"form": typed, "errors": _translate_fields(exc.fields)},
            422,
        )
    except RateLimited:
        return await _form(
            request,
            "accounts/forgot.html",
            {"form": typed, "error": _("Too many requests. Please try again later.")},
            429,
        )
    return await _form(
        request,
        "accounts/message.html",
        {"message": _("If an account exists for that address, we sent it a reset link.")},
    )


@router.get("/reset-password", name="reset_password")
async def reset_form(request: Request) -> Response:
    token = request.query_params.get("token", "")[:200]
    return await _form(request, "accounts/reset.html", {"token": token})


@router.post("/reset-password")
async def reset(request: Request) -> Response:
    form = await request.form()
    token = _text(form, "token", 200)
    try:
        await clients_of(request).identity.reset_password(token, _text(form, "new_password", 200))
    except ValidationFailed as exc:
        errors = _translate_fields(exc.fields)
        if "token" in errors:
            return await _form(
                request,
                "accounts/reset.html",
                {"token": token, "error": _("This reset link is not valid.")},
                422,
            )
        return await _form(request, "accounts/reset.html", {"token": token, "errors": errors}, 422)
    except ServiceError:
        return await _form(
            request,
            "accounts/reset.html",
            {"token": token, "error": _("This reset link has expired or was already used.")},
            400,
        )
    await visitor_of(request).sign_out()
    return await _form(
        request,
        "accounts/message.html",
        {"message": _("Your password is changed. Log in with the new one."), "login_link": True},
    )


@router.post("/language", name="language")
async def language(request: Request) -> Response:
    form = await request.form()
    chosen = _text(form, "language")
    response = redirect(request, local_path(_text(form, "next", 500)))
    if chosen in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            chosen,
            max_age=365 * 86_400,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
        )
    return response
