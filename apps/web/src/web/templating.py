"""One Jinja2 environment; a page renders whole, or as one block for an htmx swap
(jinja2-fragments), from the same template."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2_fragments import render_block
from starlette.requests import Request
from starlette.responses import HTMLResponse

from web import i18n
from web.format import FILTERS
from web.static import StaticFiles
from web.visitor import visitor_of

ROOT = Path(__file__).parent
AREAS = (
    "catalog",
    "courses",
    "lessons",
    "learning",
    "notifications",
    "accounts",
    "teach",
    "admin",
)


def template_dirs() -> list[Path]:
    dirs = [ROOT / "templates"]
    dirs += [ROOT / area / "templates" for area in AREAS if (ROOT / area / "templates").is_dir()]
    return dirs


def create_environment(static: StaticFiles) -> Environment:
    env = Environment(
        loader=FileSystemLoader(template_dirs()),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
    env.install_gettext_callables(i18n.gettext_, i18n.ngettext_, newstyle=True)  # type: ignore[attr-defined]
    env.globals["static_url"] = static.url
    env.globals["languages"] = i18n.LANGUAGES
    env.filters.update(FILTERS)
    env.globals["url_query"] = query_string
    return env


def query_string(params: dict[str, Any], **changes: Any) -> str:
    """`?a=1&b=2` from params with changes applied (None removes a key); empty when none."""
    merged = {**params, **changes}
    kept = {k: v for k, v in merged.items() if v not in (None, "")}
    return "?" + urlencode(kept) if kept else ""


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true" and "hx-history-restore-request" not in (
        request.headers
    )


class Pages:
    def __init__(self, env: Environment) -> None:
        self.env = env

    async def context(self, request: Request) -> dict[str, Any]:
        visitor = visitor_of(request)
        return {
            "request": request,
            "visitor": visitor,
            "user": visitor.user,
            "csrf_token": visitor.csrf_token,
            "language": i18n.current_language.get(),
            "unread_count": await visitor.unread_count(),
            "current_url": request.url.path
            + (("?" + request.url.query) if request.url.query else ""),
        }

    async def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        *,
        block: str | None = None,
        status_code: int = 200,
        headers: dict[str, str] | None = None,
    ) -> HTMLResponse:
        """The whole page, or only `block` (for an htmx request that asked for a part)."""
        full = {**await self.context(request), **(context or {})}
        if block is not None:
            html = render_block(self.env, name, block, full)
        else:
            html = self.env.get_template(name).render(full)
        return HTMLResponse(html, status_code=status_code, headers=headers)


def pages_of(request: Request) -> Pages:
    pages: Pages = request.app.state.pages
    return pages
