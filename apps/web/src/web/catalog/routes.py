"""Catalog (home): search, filters and sorts kept in the URL, "show more" by keyset cursor."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from web.clients import clients_of
from web.clients.course import Category, CoursePage
from web.clients.errors import ServiceError, ServiceUnavailable
from web.format import level as level_name
from web.i18n import gettext_ as _
from web.templating import is_htmx, pages_of, query_string

router = APIRouter()

LEVELS = ("beginner", "intermediate", "advanced")
SORTS = ("relevance", "newest", "rating", "price_asc", "price_desc")
PRICES = ("free", "paid")
PAGE_SIZE = 12


@dataclass(frozen=True)
class CatalogQuery:
    """What the visitor asked for, from the URL; anything unknown is dropped."""

    q: str = ""
    category: str = ""
    level: str = ""
    price: str = ""
    sort: str = ""

    @classmethod
    def parse(cls, params: Any) -> CatalogQuery:
        category = params.get("category", "")
        try:
            category = str(uuid.UUID(category)) if category else ""
        except ValueError:
            category = ""
        level = params.get("level", "")
        price = params.get("price", "")
        sort = params.get("sort", "")
        return cls(
            q=params.get("q", "").strip()[:200],
            category=category,
            level=level if level in LEVELS else "",
            price=price if price in PRICES else "",
            sort=sort if sort in SORTS else "",
        )

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}

    def api_params(self) -> dict[str, Any]:
        return {
            "q": self.q or None,
            "category_id": self.category or None,
            "level": self.level or None,
            "is_free": {"free": "true", "paid": "false"}.get(self.price),
            "sort": self.sort or None,
        }


def sort_labels() -> dict[str, str]:
    return {
        "relevance": _("Best match"),
        "newest": _("Newest"),
        "rating": _("Highest rated"),
        "price_asc": _("Price: low to high"),
        "price_desc": _("Price: high to low"),
    }


def chips(query: CatalogQuery, categories: list[Category]) -> list[tuple[str, str]]:
    """Each active filter as (label, what the URL is without it)."""
    names = {str(c.id): c.name for c in categories}
    found: list[tuple[str, str]] = []
    params = query.params()
    if query.q:
        found.append((_("Search: %(q)s") % {"q": query.q}, "q"))
    if query.category:
        found.append((names.get(query.category, _("Category")), "category"))
    if query.level:
        found.append((level_name(query.level), "level"))
    if query.price:
        found.append((_("Free") if query.price == "free" else _("Paid"), "price"))
    if query.sort:
        found.append((_("Sorted: %(s)s") % {"s": sort_labels()[query.sort]}, "sort"))
    return [(label, _without(params, key)) for label, key in found]


def _without(params: dict[str, str], key: str) -> str:
    return "/" + query_string(params, **{key: None})


@router.get("/", name="catalog")
async def catalog(request: Request) -> Response:
    query = CatalogQuery.parse(request.query_params)
    cursor = request.query_params.get("cursor") or None
    course = clients_of(request).course
    results_error: str | None = None

    async def search() -> CoursePage:
        try:
            return await course.search(**query.api_params(), cursor=cursor, limit=PAGE_SIZE)
        except ServiceError as exc:
            if cursor is None or exc.status != 400:
                raise
            # A stale or tampered cursor: start the list again rather than fail.
            return await course.search(**query.api_params(), limit=PAGE_SIZE)

    more_only = is_htmx(request) and cursor is not None

    async def listed() -> list[Category]:
        if more_only:
            return []
        try:
            return await course.categories()
        except (ServiceUnavailable, ServiceError):
            return []  # the filters still work by URL; only the category menu is missing

    async def found() -> CoursePage | None:
        try:
            return await search()
        except ServiceUnavailable:
            return None

    results, categories = await asyncio.gather(found(), listed())
    if results is None:
        results_error = _("The catalog is not available right now.")
    context = {
        "query": query,
        "params": query.params(),
        "results": results,
        "results_error": results_error,
        "categories": categories,
        "chips": chips(query, categories),
        "levels": LEVELS,
        "sorts": sort_labels(),
        "filtered": bool(query.params()),
        "appending": more_only,
    }
    pages = pages_of(request)
    if more_only:
        return await pages.render(request, "catalog/index.html", context, block="more")
    return await pages.render(request, "catalog/index.html", context)
