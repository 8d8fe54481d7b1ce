"""One HTTP client per service over the app's one shared `httpx.AsyncClient`: timeouts, and
every error answer turned into the typed exception a page can act on."""

from __future__ import annotations

import time
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from web.clients.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PaymentRequired,
    RateLimited,
    ServiceError,
    ServiceUnavailable,
    Unauthorized,
    ValidationFailed,
)
from web.timing import record_upstream

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


def field_errors(problem: dict[str, Any]) -> dict[str, str]:
    """`errors[].loc` of a 422 problem (["body", "email"]) as {"email": message}."""
    fields: dict[str, str] = {}
    for err in problem.get("errors") or []:
        loc = [str(p) for p in err.get("loc", [])]
        name = ".".join(loc[1:] if len(loc) > 1 else loc)
        message = str(err.get("msg", "invalid"))
        fields.setdefault(name, message.removeprefix("Value error, "))
    return fields


class ServiceClient:
    name = "service"

    def __init__(self, http: httpx.AsyncClient, base_url: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")

    async def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        started = time.perf_counter()
        try:
            response = await self.http.request(
                method,
                self.base_url + path,
                json=json,
                params={k: v for k, v in (params or {}).items() if v is not None},
                headers=sent,
            )
        except httpx.TimeoutException:
            raise ServiceUnavailable(self.name, timed_out=True) from None
        except httpx.TransportError:
            raise ServiceUnavailable(self.name) from None
        finally:
            record_upstream(self.name, time.perf_counter() - started)
        if response.status_code >= 400:
            raise self._error(response)
        return response

    def _error(self, response: httpx.Response) -> Exception:
        status = response.status_code
        if status >= 500:
            return ServiceUnavailable(self.name)
        try:
            problem = response.json()
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        code = str(problem.get("code") or status)
        detail = str(problem.get("detail") or "")
        if status == 422 or (status == 400 and problem.get("errors")):
            return ValidationFailed(self.name, status, code, detail, field_errors(problem))
        if status == 401:
            return Unauthorized(self.name, status, code, detail)
        if status == 403:
            return Forbidden(self.name, status, code, detail)
        if status == 404:
            return NotFound(self.name, status, code, detail)
        if status == 409:
            return Conflict(self.name, status, code, detail)
        if status == 402:
            return PaymentRequired(self.name, status, code, detail)
        if status == 429:
            retry_after = response.headers.get("Retry-After", "60")
            seconds = int(retry_after) if retry_after.isdigit() else 60
            return RateLimited(self.name, status, code, detail, seconds)
        return ServiceError(self.name, status, code, detail)

    async def get_model(
        self, model: type[M], path: str, *, token: str | None = None, **params: Any
    ) -> M:
        response = await self.request("GET", path, token=token, params=params)
        return model.model_validate_json(response.content)

    async def get_list(
        self, item: type[T], path: str, *, token: str | None = None, **params: Any
    ) -> list[T]:
        response = await self.request("GET", path, token=token, params=params)
        return TypeAdapter(list[item]).validate_json(response.content)  # type: ignore[valid-type]
