"""Where a page sends the visitor next: redirects that work with and without htmx."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response


def redirect(request: Request, url: str) -> Response:
    """303 to `url`; for htmx an `HX-Redirect`, so the whole page changes, not a part."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


def local_path(target: str | None, default: str = "/") -> str:
    """`target` if it is a path on this site, else `default` (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    if target.startswith("//") or "\\" in target:
        return default
    return parts.path + (("?" + parts.query) if parts.query else "")


def here(request: Request) -> str:
    """The page the visitor is on (for a POST: the page its form was on)."""
    if request.method == "GET":
        return request.url.path + (("?" + request.url.query) if request.url.query else "")
    current = request.headers.get("hx-current-url") or request.headers.get("referer")
    return local_path(urlsplit(current).path if current else None, request.url.path)


def login_url(request: Request) -> str:
    return "/login?next=" + quote(here(request), safe="/")
