"""Lesson content, rendered the same wherever it is shown (the course service stores it, the
web app previews it while a teacher types): markdown without raw HTML, then sanitized; videos
from known hosts only, stored as their player URL."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False})

YOUTUBE_HOSTS = frozenset(
    {
        "youtube.com",
        "www.youtube.com",
        "m.youtube.com",
        "youtube-nocookie.com",
        "www.youtube-nocookie.com",
    }
)
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com"})
# A YouTube video id is 11 characters of the URL-safe base64 alphabet.
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_PATH = re.compile(r"/(?:embed|shorts|live|v)/([^/]+)/?")
_YOUTU_BE_PATH = re.compile(r"/([^/]+)/?")
# Vimeo: a numeric id, and for an unlisted video the hash that unlocks it.
_VIMEO_PATH = re.compile(r"/([0-9]{1,12})(?:/([0-9a-f]{6,32}))?/?")
_VIMEO_PLAYER_PATH = re.compile(r"/video/([0-9]{1,12})/?")
_VIMEO_HASH = re.compile(r"[0-9a-f]{6,32}")


# A code block scrolls sideways where its lines are longer than the page is wide: in the tab
# order, it can be scrolled with the keyboard too (WCAG 2.1.1).
_FOCUSABLE = {"pre": {"tabindex": "0"}}


def render_markdown(content: str) -> str:
    return nh3.clean(_markdown.render(content), set_tag_attribute_values=_FOCUSABLE)


def embed_video_url(url: str) -> str | None:
    """The player URL of a YouTube or Vimeo video link (`https://www.youtube.com/embed/<id>`,
    `https://player.vimeo.com/video/<id>`), or None when the link is not one.

    The result is rebuilt from the video id alone, so nothing else of what was sent (other
    query parameters, a fragment, markup smuggled into the id) is ever stored or served.
    """
    # Whitespace and control characters have no place in a link (and NUL cannot be stored).
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or port is not None:
        return None
    if parts.username is not None or parts.password is not None:
        return None
    host = parts.hostname or ""
    query = parse_qs(parts.query)
    if host in YOUTUBE_HOSTS or host == "youtu.be":
        if host == "youtu.be":
            found = _YOUTU_BE_PATH.fullmatch(parts.path)
            video = found.group(1) if found else None
        elif parts.path in ("/watch", "/watch/"):
            ids = query.get("v", [])
            video = ids[0] if len(ids) == 1 else None
        else:
            found = _YOUTUBE_PATH.fullmatch(parts.path)
            video = found.group(1) if found else None
        if video is None or not _YOUTUBE_ID.fullmatch(video):
            return None
        return f"https://www.youtube.com/embed/{video}"
    if host in VIMEO_HOSTS:
        found = _VIMEO_PATH.fullmatch(parts.path)
        if found is None:
            return None
        return _vimeo_player(found.group(1), found.group(2))
    if host == "player.vimeo.com":
        found = _VIMEO_PLAYER_PATH.fullmatch(parts.path)
        hashes = query.get("h", [])
        if found is None or len(hashes) > 1 or (hashes and not _VIMEO_HASH.fullmatch(hashes[0])):
            return None
        return _vimeo_player(found.group(1), hashes[0] if hashes else None)
    return None


def _vimeo_player(video: str, unlisted_hash: str | None) -> str:
    player = f"https://player.vimeo.com/video/{video}"
    return f"{player}?h={unlisted_hash}" if unlisted_hash else player
