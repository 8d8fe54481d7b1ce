"""Plain-text fields lose any markup on input: what could run as script is removed."""

from __future__ import annotations

import html
from typing import Annotated

import nh3
from pydantic import AfterValidator

_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}


def strip_markup(text: str) -> str:
    """Remove tags (and the content of script-like ones), keep the text as the user typed it.

    Entities are decoded and the result cleaned again until nothing changes, so an encoded
    payload such as `&lt;script&gt;` cannot come back as a tag.
    """
    current = text
    for _ in range(5):
        cleaned = html.unescape(
            nh3.clean(current, tags=set(), clean_content_tags=_DROP_WITH_CONTENT)
        )
        if cleaned == current:
            break
        current = cleaned
    return current.replace("\x00", "").strip()


PlainText = Annotated[str, AfterValidator(strip_markup)]
