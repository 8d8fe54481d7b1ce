"""What every page shares: security headers, Server-Timing, the session cookie, CSRF
refusals, static files, languages, error pages."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import httpx
import pytest
import respx
from conftest import ORIGIN, SignIn, csrf_token, post_form
from fakes import COURSE, course_json
from web.app import create_app
from web.settings import WebSettings

STATIC = Path(__file__).parents[1] / "static"


def catalog_ok(api: respx.MockRouter) -> None:
    api.get(f"{COURSE}/courses").respond(200, json={"items": [course_json()], "next_cursor": None})
    api.get(f"{COURSE}/categories").respond(200, json=[])


async def test_every_page_carries_the_security_headers_and_server_timing(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    catalog_ok(api)
    for path in ("/", "/login", "/no-such-page"):
        r = await client.get(path)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp
        assert "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert re.match(r"app;dur=\d+\.\d", r.headers["server-timing"])
    home = await client.get("/")
    assert "course;dur=" in home.headers["server-timing"]


async def test_pages_have_no_inline_script_or_style(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    catalog_ok(api)
    html = (await client.get("/")).text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert " style=" not in html
    assert " onclick=" not in html


async def test_session_cookie_is_a_random_id_httponly_and_lax(client: httpx.AsyncClient) -> None:
    r = await client.get("/login")
    cookie = r.headers["set-cookie"]
    assert cookie.startswith("edu_session=")
    value = cookie.split(";")[0].split("=", 1)[1]
    assert 40 <= len(value) < 100
    flags = cookie.lower()
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # plain http in development and tests
    assert "path=/" in flags


async def test_session_cookie_is_secure_in_production(valkey_url: str) -> None:
    settings = WebSettings(environment="production", secret_key="s" * 40, redis_url=valkey_url)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=ORIGIN) as c:
            r = await c.get("/login")
    assert "secure" in r.headers["set-cookie"].lower()


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="secret_key"):
        WebSettings(environment="production")


async def test_a_form_post_without_the_form_token_is_refused(client: httpx.AsyncClient) -> None:
    await client.get("/login")
    r = await client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert r.status_code == 403
    assert "Request refused" in r.text


async def test_a_form_token_of_another_session_is_refused(
    client: httpx.AsyncClient, settings: WebSettings
) -> None:
    token = await csrf_token(client)
    client.cookies.clear()
    await client.get("/login")  # a new session id
    r = await client.post("/login", data={"csrf_token": token, "email": "a@b.co", "password": "x"})
    assert r.status_code == 403


async def test_a_cross_site_post_is_refused_even_with_the_token(
    client: httpx.AsyncClient,
) -> None:
    token = await csrf_token(client)
    data = {"csrf_token": token, "email": "a@example.com", "password": "x"}
    r = await client.post("/login", data=data, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    r = await client.post("/login", data=data, headers={"Origin": "https://evil.example"})
    assert r.status_code == 403


async def test_same_origin_post_with_the_token_gets_through(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    from fakes import IDENTITY, problem

    api.post(f"{IDENTITY}/login").respond(401, json=problem(401, "invalid_credentials"))
    r = await post_form(
        client,
        "/login",
        {"email": "a@example.com", "password": "x"},
        headers={"Origin": ORIGIN, "Sec-Fetch-Site": "same-origin"},
    )
    assert r.status_code == 401
    assert "The email or password is not right." in r.text


async def test_htmx_requests_carry_the_token_in_a_header(
    client: httpx.AsyncClient, api: respx.MockRouter, sign_in: SignIn
) -> None:
    from fakes import NOTIFICATION

    await sign_in()
    api.post(f"{NOTIFICATION}/notifications/read-all").respond(204)
    token = await csrf_token(client)
    refused = await client.post("/notifications/read-all", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    ok = await client.post(
        "/notifications/read-all", headers={"HX-Request": "true", "X-CSRF-Token": token}
    )
    assert ok.status_code == 200
    assert 'id="notification-list"' in ok.text
    assert "<html" not in ok.text


async def test_static_files_have_hashed_names_and_are_immutable(
    client: httpx.AsyncClient,
) -> None:
    html = (await client.get("/login")).text
    names = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert len(names) == 3
    for name in names:
        assert re.search(r"\.[0-9a-f]{12}\.", name)
        r = await client.get(name)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert (await client.get("/static/style.css")).status_code == 404


def test_vendored_htmx_is_the_pinned_release() -> None:
    record = json.loads((STATIC / "htmx.min.js.json").read_text())
    assert record["package"] == "htmx.org"
    assert record["version"].startswith("2.")
    digest = hashlib.sha256((STATIC / "htmx.min.js").read_bytes()).hexdigest()
    assert digest == record["sha256"]


async def test_accept_language_picks_russian_and_the_switcher_overrides_it(
    client: httpx.AsyncClient,
) -> None:
    ru = await client.get("/login", headers={"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in ru.text
    assert "Войти" in ru.text
    r = await post_form(client, "/language", {"language": "en", "next": "/login"})
    assert r.status_code == 303
    assert r.headers["location"] == "/login"
    assert "edu_lang=en" in r.headers["set-cookie"]
    en = await client.get("/login", headers={"Accept-Language": "ru"})
    assert '<html lang="en">' in en.text


async def test_language_switch_never_redirects_off_site(client: httpx.AsyncClient) -> None:
    r = await post_form(client, "/language", {"language": "ru", "next": "//evil.example/x"})
    assert r.headers["location"] == "/"


async def test_not_found_page_offers_a_way_back(client: httpx.AsyncClient) -> None:
    r = await client.get("/nowhere")
    assert r.status_code == 404
    assert "Page not found" in r.text
    assert 'href="/"' in r.text


async def test_health(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health/live")).status_code == 200
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["sessions"] == "ok"


def test_every_ui_text_has_a_russian_translation() -> None:
    from babel.messages.pofile import read_po
    from web.i18n import LOCALES_DIR

    with (LOCALES_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="ru")
    untranslated = [
        m.id
        for m in catalog
        if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert len(catalog) > 200
    assert untranslated == []


def test_the_russian_catalog_holds_every_text_the_code_and_templates_show() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po
    from web.i18n import LOCALES_DIR

    source = Path(__file__).parents[1] / "src" / "web"
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    keywords = {"_": None, "N_": None, "gettext_": None, "ngettext": (1, 2), "ngettext_": (1, 2)}
    shown = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(source, method_map, options, keywords=keywords)
    }
    with (LOCALES_DIR / "ru" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="ru")
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}
    assert len(shown) > 200
    assert sorted(shown - known) == []
