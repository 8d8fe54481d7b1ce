"""Plain-text fields, cleaned once on input: no markup that could run as script, no characters
that hide or reorder what a reader sees, and "nothing visible" counts as blank.

Every name, title, description, comment and notification field is declared with `Text` (or
`PlainText`), so every service cleans the same way.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any

import nh3
from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

_DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}

# Bidirectional embeddings, overrides and isolates (U+202E turns "gpj.exe" into "exe.jpg"),
# and the marks that only steer them.
_BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Characters that take no space and no ink even though they are not in category Cf.
_INVISIBLE_LETTERS = "\u115f\u1160\u2800\u3164\uffa0"
_LINE_BREAKS = re.compile("\r\n|[\r\n\u2028\u2029\x85]")


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _drop_invisible_controls(text: str, *, multiline: bool) -> str:
    # Line breaks become "\n" in multi-line fields and a space elsewhere; tabs stay in
    # multi-line fields only.
    text = _LINE_BREAKS.sub("\n" if multiline else " ", text)
    kept = []
    for char in text:
        if char == "\n" or char == "\t":
            kept.append(char if multiline else " ")
            continue
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char in _BIDI_CONTROLS or _is_noncharacter(ord(char)):
            continue
        kept.append(char)
    return "".join(kept)


def _is_invisible(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Cf" or char in _INVISIBLE_LETTERS


def strip_markup(text: str) -> str:
    """Remove tags (and the content of script-like ones), keep the text as the user typed it.

    Entities are decoded and the result cleaned again until nothing changes, so an encoded
    payload such as `&lt;script&gt;` cannot come back as a tag.
    """
    return clean_text(text, multiline=True)


def clean_text(text: str, *, multiline: bool) -> str:
    """The text a reader would see: NFC, without markup, control, bidi-override or
    non-characters, trimmed of invisible characters at both ends ("" if nothing is visible).

    Each step runs until nothing changes: a decoded entity (`&#x202e;`) or a removed character
    (`<\\u202escript>`) cannot bring back what an earlier step took out.
    """
    current = text
    for _ in range(8):
        cleaned = unicodedata.normalize("NFC", current)
        cleaned = _drop_invisible_controls(cleaned, multiline=multiline)
        cleaned = html.unescape(
            nh3.clean(cleaned, tags=set(), clean_content_tags=_DROP_WITH_CONTENT)
        )
        if cleaned == current:
            break
        current = cleaned
    else:
        current = _drop_invisible_controls(current, multiline=multiline)
    start, end = 0, len(current)
    while start < end and _is_invisible(current[start]):
        start += 1
    while end > start and _is_invisible(current[end - 1]):
        end -= 1
    return current[start:end]


@dataclass(frozen=True)
class Text:
    """Field metadata for user-written plain text: `Annotated[str, Text(max_length=200)]`.

    `max_length` bounds the input as sent (what OpenAPI's `maxLength` says); the stored text is
    the cleaned one, never longer. `required` text must keep something visible once cleaned
    (422 otherwise); optional text may clean down to "". `multiline` keeps line breaks and
    tabs (descriptions, comments, message bodies); elsewhere they become spaces.
    """

    max_length: int | None = None
    required: bool = False
    multiline: bool = False

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        raw = core_schema.str_schema(
            min_length=1 if self.required else None, max_length=self.max_length
        )
        return core_schema.no_info_after_validator_function(self._clean, raw)

    def _clean(self, value: str) -> str:
        cleaned = clean_text(value, multiline=self.multiline)
        if self.required and not cleaned:
            raise PydanticCustomError("blank_text", "must contain visible text")
        if self.max_length is not None and len(cleaned) > self.max_length:
            # NFC composes far more than it expands, but a few characters do grow.
            raise PydanticCustomError(
                "string_too_long",
                "must be at most {max_length} characters",
                {"max_length": self.max_length},
            )
        return cleaned


PlainText = Annotated[str, Text()]
"""Single-line plain text without a length limit of its own."""
