"""UI text in English and Russian: gettext catalogs compiled from the .po files at start.

`Accept-Language` picks the language; the switcher's choice, kept in a cookie, overrides it.
Course content is shown as its author wrote it and is never translated.
"""

from __future__ import annotations

import gettext
import io
from contextvars import ContextVar
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "messages"
LANGUAGES = {"en": "English", "ru": "Русский"}
DEFAULT_LANGUAGE = "en"
LANGUAGE_COOKIE = "edu_lang"


def compile_catalogs(locales_dir: Path = LOCALES_DIR) -> dict[str, gettext.NullTranslations]:
    """Each language's .po, compiled in memory (no generated .mo files to keep in step)."""
    catalogs: dict[str, gettext.NullTranslations] = {DEFAULT_LANGUAGE: gettext.NullTranslations()}
    for language in LANGUAGES:
        po = locales_dir / language / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not po.exists():
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=language)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        catalogs[language] = Translations(buffer, domain=DOMAIN)
    return catalogs


CATALOGS = compile_catalogs()
current_language: ContextVar[str] = ContextVar("current_language", default=DEFAULT_LANGUAGE)


def translations() -> gettext.NullTranslations:
    return CATALOGS.get(current_language.get(), CATALOGS[DEFAULT_LANGUAGE])


def gettext_(message: str) -> str:
    return translations().gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


# What Python code marks for extraction: `_("...")`.
_ = gettext_


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = tag.strip().lower().split("-")[0]
        if language in LANGUAGES and quality > 0:
            ranked.append((-quality, index, language))
    return sorted(ranked)[0][2] if ranked else DEFAULT_LANGUAGE


class LanguageMiddleware:
    """Sets the request's language for everything rendered while it runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = current_language.set(language_of(Request(scope)))
        try:
            await self.app(scope, receive, send)
        finally:
            current_language.reset(token)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Marks a message for extraction; it is translated where it is shown."""
    return message
