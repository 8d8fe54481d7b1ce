"""Which methods a path takes, across every route that serves it.

Starlette answers a 405 naming the methods of the first route whose path matched, and lets a
route with a path parameter take a request meant for a fixed path beside it (`PUT /courses/my`
reached `PUT /courses/{course_id}` and failed as a bad id). Both are fixed here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException
from starlette.routing import Match, Route


async def _method_not_allowed(request: Request) -> Any:
    raise HTTPException(405)


def _is_guard(route: Any) -> bool:
    return getattr(route, "endpoint", None) is _method_not_allowed


def allowed_methods(app: FastAPI, scope: Mapping[str, Any]) -> set[str]:
    """Every method some route answers on the scope's path; where a fixed path matches, its
    own methods only (see `guard_fixed_paths`)."""
    fixed: set[str] = set()
    parametrized: set[str] = set()
    for route in iter_route_contexts(app.router.routes):
        if _is_guard(route):
            continue
        match, _ = route.matches({**scope, "method": "\x00"})
        if match is not Match.NONE:
            target = parametrized if "{" in str(route.path) else fixed
            target |= route.methods or set()
    return fixed or parametrized


def guard_fixed_paths(app: FastAPI) -> None:
    """A fixed path names its own resource: a method it does not take is a 405 there, even
    when a route with a parameter (`/courses/{course_id}`) would match the same text.

    Call once every router is included.
    """
    routes = [r for r in iter_route_contexts(app.router.routes) if r.path and r.methods]
    fixed: dict[str, set[str]] = {}
    for route in routes:
        if "{" not in str(route.path):
            fixed.setdefault(str(route.path), set()).update(route.methods or set())
    guards = []
    for path, own in fixed.items():
        taken: set[str] = set()
        for route in routes:
            if "{" not in str(route.path):
                continue
            for method in (route.methods or set()) - own:
                scope = {"type": "http", "path": path, "root_path": "", "method": method}
                if route.matches(scope)[0] is Match.FULL:
                    taken.add(method)
        if taken:
            guards.append(
                Route(path, _method_not_allowed, methods=sorted(taken), include_in_schema=False)
            )
    app.router.routes[0:0] = guards
