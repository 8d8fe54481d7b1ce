"""Lesson content: the shared renderer and video rule (`edu_common.lesson_content`)."""

from edu_common.lesson_content import embed_video_url, render_markdown

__all__ = ["embed_video_url", "render_markdown"]
