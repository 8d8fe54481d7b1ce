"""Lesson videos: embedded only as the player URL the course service stores."""

from __future__ import annotations

from edu_common.lesson_content import embed_video_url

FRAME_SOURCES = ("https://www.youtube-nocookie.com", "https://player.vimeo.com")
_YOUTUBE_PLAYER = "https://www.youtube.com/embed/"
# The same player without cookies until the visitor presses play.
_PRIVATE_YOUTUBE_PLAYER = "https://www.youtube-nocookie.com/embed/"


def embed_url(video_url: str | None) -> str | None:
    """The player URL for a YouTube or Vimeo link; None for anything else."""
    player = embed_video_url(video_url) if video_url else None
    if player and player.startswith(_YOUTUBE_PLAYER):
        return _PRIVATE_YOUTUBE_PLAYER + player.removeprefix(_YOUTUBE_PLAYER)
    return player
