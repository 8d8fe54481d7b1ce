"""Text for seeded lessons and reviews, from `lesson_text.json` beside this module."""

from __future__ import annotations

import json
from importlib.resources import files

_TEXT = json.loads(files("edu_seed").joinpath("lesson_text.json").read_text(encoding="utf-8"))
# Markdown bodies: rendered once each, then shared by every lesson that uses them.
LESSON_BODIES: list[str] = _TEXT["lesson_bodies"]
LESSON_WORDS: list[str] = _TEXT["lesson_words"]
REVIEW_COMMENTS: list[str] = _TEXT["review_comments"]
