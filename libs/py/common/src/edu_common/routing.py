"""Which methods a path takes, across every route that serves it; and which dependencies
would run in a thread.

Starlette answers a 405 naming the methods of the first route whose path matched, and lets a
route with a path parameter take a request meant for a fixed path beside it (`PUT /courses/my`
reached `PUT /courses/{course_id}` and failed as a bad id). Both are fixed here, once.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
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


def _is_async(call: Any) -> bool:
    target = call if inspect.isroutine(call) else getattr(call, "__call__", call)  # noqa: B004 - a callable instance's own method
    return inspect.iscoroutinefunction(target) or inspect.isasyncgenfunction(target)


def _sync_calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None and not _is_async(sub.call):
            yield sub.call
        yield from _sync_calls(sub)


def blocking_dependencies(app: FastAPI) -> list[str]:
    """Endpoints and dependencies written as plain `def`: FastAPI runs each in a worker
    thread, a hop through the thread pool per request (measured: the course service spent
    more CPU handing three attribute look-ups to threads than on its SQL). Every one of ours
    is `async def`; what does block (password hashing) goes to its own executor."""
    found: set[str] = set()
    for route in iter_route_contexts(app.router.routes):
        dependant = getattr(route, "dependant", None)
        if dependant is None:
            continue
        if not _is_async(dependant.call):
            found.add(f"{route.path}: {dependant.call.__qualname__}")
        for call in _sync_calls(dependant):
            found.add(f"{call.__module__}.{getattr(call, '__qualname__', repr(call))}")
    return sorted(found)
