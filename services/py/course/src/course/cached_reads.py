"""The hottest reads answered from the cache before FastAPI's routing.

An anonymous `GET` of a course, a curriculum, the categories or a catalog page is, most of
the time, a document already cached as the route would send it. Routing it, solving its
dependencies and validating its parameters cost more CPU than reading it from Valkey
(docs/performance): here such a request is answered from the cache alone, inside the
service's middleware (request id, metrics, access log, load shedding and draining still
apply), with the same bytes and headers the route sends.

Only what needs no check is answered here: no `Authorization` header (a token must be
verified, and a bad one is a 401), and parameters in the one form this module reads them;
anything else, and every miss, goes on to the route as before. On a miss the request is
marked (`course.dependencies.looked_up_before_routing`), so the route reads the database
without asking the cache a second time.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from edu_common.pagination import MAX_CURSOR_CHARS, MAX_LIMIT
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.datastructures import QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from course.catalog import service
from course.catalog.endpoints import MAX_QUERY_CHARS, categories, get_course, list_courses
from course.catalog.schemas import Level, Sort
from course.curriculum.endpoints import get_curriculum
from course.dependencies import CACHE_LOOKED_UP, CATEGORY_COUNTS, Caches

_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_UUID_RE = re.compile(_UUID)
_COURSE_PATH = re.compile(rf"/courses/({_UUID})(/curriculum)?")
_LEVELS = {str(level) for level in Level}
_SORTS = {str(sort): sort for sort in Sort}
_BOOLEANS = {"true": True, "false": False}
_CATALOG_PARAMS = {"q", "category_id", "level", "is_free", "teacher_id", "sort", "limit", "cursor"}

Lookup = Callable[[Caches], Awaitable[bytes | None]]


def _has_authorization(scope: Scope) -> bool:
    return any(name == b"authorization" for name, _ in scope["headers"])


def _uuid(value: str) -> uuid.UUID | None:
    return uuid.UUID(value) if _UUID_RE.fullmatch(value) else None


def _catalog_key(query_string: bytes) -> str | None:
    """The page key `list_courses` computes for these parameters, when each is in its plain
    form (lowercase ids, `true`/`false`, a limit in digits) and given once; else None."""
    pairs = QueryParams(query_string).multi_items()
    params = dict(pairs)
    if len(params) != len(pairs) or not params.keys() <= _CATALOG_PARAMS:
        return None
    q = params.get("q")
    level = params.get("level")
    limit = params.get("limit", "20")
    cursor = params.get("cursor")
    ids = {name: _uuid(params[name]) for name in ("category_id", "teacher_id") if name in params}
    if (
        (q is not None and len(q) > MAX_QUERY_CHARS)
        or (level is not None and level not in _LEVELS)
        or params.get("is_free", "true") not in _BOOLEANS
        or params.get("sort", "newest") not in _SORTS
        or not (limit.isascii() and limit.isdigit() and str(int(limit)) == limit)
        or not 1 <= int(limit) <= MAX_LIMIT
        or (cursor is not None and not 0 < len(cursor) <= MAX_CURSOR_CHARS)
        or None in ids.values()
    ):
        return None
    filters = service.catalog_filter(
        q,
        ids.get("category_id"),
        level,
        _BOOLEANS[params["is_free"]] if "is_free" in params else None,
        ids.get("teacher_id"),
    )
    sort = _SORTS[params["sort"]] if "sort" in params else None
    return service.catalog_page_key(filters, sort, int(limit), cursor)


def _lookup(scope: Scope) -> tuple[Callable[..., Any], Lookup] | None:
    """The route a request is for, and how to find its answer in the cache; None for a
    request this module leaves to the routes."""
    path: str = scope["path"]
    if path == "/courses":
        key = _catalog_key(scope["query_string"])
        if key is None:
            return None
        return list_courses, lambda caches: caches.catalog_pages.get(key)
    if path == "/categories":
        return categories, lambda caches: caches.categories.get_bytes(CATEGORY_COUNTS)
    found = _COURSE_PATH.fullmatch(path)
    if found is None:
        return None
    course_id = uuid.UUID(found[1])
    if found[2]:
        return get_curriculum, lambda caches: caches.curricula.get_bytes(course_id)
    return get_course, lambda caches: caches.courses.get_bytes(course_id)


class CachedReads:
    """Pure ASGI middleware, innermost of the service's own (edu_common.app)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: dict[Any, Any] = {}

    def _route(self, app: FastAPI, endpoint: Callable[..., Any]) -> Any:
        """The route an answer is counted under in the metrics and the access log."""
        if not self._routes:
            self._routes = {
                getattr(route, "endpoint", None): route
                for route in iter_route_contexts(app.router.routes)
            }
        return self._routes[endpoint]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or _has_authorization(scope):
            await self.app(scope, receive, send)
            return
        app: FastAPI = scope["app"]
        caches: Caches | None = getattr(app.state, "caches", None)
        found = None if caches is None else _lookup(scope)
        if caches is None or found is None:
            await self.app(scope, receive, send)
            return
        endpoint, lookup = found
        body = await lookup(caches)
        if body is None:
            scope[CACHE_LOOKED_UP] = True
            await self.app(scope, receive, send)
            return
        scope["route"] = self._route(app, endpoint)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(body)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
