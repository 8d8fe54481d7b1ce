"""A subject of demo courses: what it is about and its topics from easy to hard.

A subject becomes three courses (beginner, intermediate, advanced); a course's modules are a
run of its subject's topics that fits its level.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Subject:
    category: str  # category slug
    name: str
    about: str  # one sentence that opens each course's description
    topics: tuple[str, ...]  # written to read mid-sentence, easiest first
    code: str | None = None  # family of code examples, None for subjects without code
    language: str = "en"
    titles: tuple[str, str, str] | None = None  # explicit titles per level, else patterns
