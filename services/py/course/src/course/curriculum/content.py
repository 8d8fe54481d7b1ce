"""Lesson content: the shared renderer and video rule (`edu_common.lesson_content`)."""

from edu_common.lesson_content import VIDEO_HOSTS, is_allowed_video, render_markdown

__all__ = ["VIDEO_HOSTS", "is_allowed_video", "render_markdown"]
