"""Lesson videos: embedded only from the hosts the course service accepts."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from edu_common.lesson_content import is_allowed_video

FRAME_SOURCES = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{6,20}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,15}$")


def embed_url(video_url: str | None) -> str | None:
    """The player URL for a YouTube or Vimeo link; None for anything else."""
    if not video_url or not is_allowed_video(video_url):
        return None
    try:
        parts = urlsplit(video_url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    video_id: str | None = None
    if host in ("youtube.com", "www.youtube.com"):
        if parts.path == "/watch":
            video_id = next(iter(parse_qs(parts.query).get("v", [])), None)
        elif len(segments) == 2 and segments[0] in ("embed", "shorts", "live"):
            video_id = segments[1]
        if video_id and _YOUTUBE_ID.match(video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    elif host == "youtu.be" and len(segments) == 1 and _YOUTUBE_ID.match(segments[0]):
        return f"https://www.youtube-nocookie.com/embed/{segments[0]}"
    elif host == "vimeo.com" and len(segments) == 1 and _VIMEO_ID.match(segments[0]):
        return f"https://player.vimeo.com/video/{segments[0]}"
    elif (
        host == "player.vimeo.com"
        and len(segments) == 2
        and segments[0] == "video"
        and _VIMEO_ID.match(segments[1])
    ):
        return f"https://player.vimeo.com/video/{segments[1]}"
    return None
