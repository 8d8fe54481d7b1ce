"""Lesson content, rendered the same wherever it is shown (the course service stores it, the
web app previews it while a teacher types): markdown without raw HTML, then sanitized; videos
from known hosts only."""

from __future__ import annotations

from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False})

VIDEO_HOSTS = frozenset(
    {"youtube.com", "www.youtube.com", "youtu.be", "vimeo.com", "player.vimeo.com"}
)


def render_markdown(content: str) -> str:
    return nh3.clean(_markdown.render(content))


def is_allowed_video(url: str) -> bool:
    # Whitespace and control characters have no place in a link (and NUL cannot be stored).
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("https", "http") and (parts.hostname or "") in VIDEO_HOSTS
