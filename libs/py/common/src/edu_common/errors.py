"""One error type and one place that turns errors into RFC 9457 problem details."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from edu_common.routing import allowed_methods

logger = logging.getLogger("edu.errors")

PROBLEM_JSON = "application/problem+json"


class AppError(Exception):
    """A failure the client caused or may act on: it becomes a problem-details response."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        headers: Mapping[str, str] | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = dict(headers or {})
        self.extra = dict(extra or {})


def not_found(what: str = "resource") -> AppError:
    return AppError(404, "not_found", f"{what} not found")


def forbidden(detail: str = "you are not allowed to do this", code: str = "forbidden") -> AppError:
    return AppError(403, code, detail)


def unauthorized(detail: str = "authentication required", code: str = "unauthorized") -> AppError:
    return AppError(401, code, detail, headers={"WWW-Authenticate": "Bearer"})


class Problem(BaseModel):
    """RFC 9457 problem details, as every service writes them."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str


class ValidationProblem(Problem):
    errors: list[dict[str, Any]]


def problem_response(
    status: int,
    code: str,
    detail: str,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://errors.eduplatform.dev/{code}",
        "title": _title(status),
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    return JSONResponse(
        body, status_code=status, headers=dict(headers or {}), media_type=PROBLEM_JSON
    )


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        out.append(
            {
                "loc": [str(p) for p in err.get("loc", ())],
                "msg": str(err.get("msg", "")),
                "type": str(err.get("type", "")),
            }
        )
    return out


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return problem_response(exc.status, exc.code, exc.detail, exc.headers, **exc.extra)


async def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _validation_errors(exc)
    if any(e["type"] == "json_invalid" for e in errors):
        return problem_response(400, "malformed_json", "the request body is not valid JSON")
    fields = sorted({".".join(e["loc"][1:] or e["loc"]) for e in errors})
    detail = "invalid request: " + ", ".join(fields) if fields else "invalid request"
    return problem_response(422, "validation_error", detail, errors=errors)


def _unreadable_body(exc: StarletteHTTPException) -> bool:
    # FastAPI answers a body it cannot decode (invalid UTF-8, JSON nested deeper than the
    # parser's recursion limit) with a bare 400 raised from the decoding error.
    return exc.status_code == 400 and isinstance(exc.__cause__, ValueError | RecursionError)


async def _http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if _unreadable_body(exc):
        return problem_response(400, "malformed_json", "the request body is not valid JSON")
    code = _STATUS_CODES.get(exc.status_code, "error")
    detail = exc.detail if isinstance(exc.detail, str) else _title(exc.status_code)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        # Starlette names the methods of the first matching route only.
        methods = allowed_methods(request.app, request.scope)
        if methods:
            headers["Allow"] = ", ".join(sorted(methods))
    return problem_response(exc.status_code, code, detail, headers)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    # The trace goes to the log, never to the client.
    logger.exception("unhandled error", extra={"path": request.url.path})
    return problem_response(500, "internal_error", "an unexpected error occurred")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_exception)
    app.add_exception_handler(Exception, _unhandled)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` entries for the problems a route may answer with."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        model = ValidationProblem if status == 422 else Problem
        out[status] = {
            "model": model,
            "description": _title(status),
            "content": {PROBLEM_JSON: {}},
        }
    return out
