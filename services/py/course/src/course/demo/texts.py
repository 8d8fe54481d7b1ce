"""The kinds of demo lesson and the shape of the phrasing demo courses are written in (one
bundle per language, in `data/texts/<language>.toml`, read by `course.demo.library`).

Placeholders: `{s}` subject, `{t}` topic (mid-sentence), `{T}` topic (capitalised), `{topics}`
the course's topics as a list in prose.
"""

from __future__ import annotations

from dataclasses import dataclass

# The kinds of lesson a module is made of: an opener, some middle lessons, a closer.
OPENERS = ("overview", "ideas")
MIDDLES = ("steps", "example", "project", "mistakes")
CLOSERS = ("practice", "quiz")
# Lessons that show code (in subjects that have code) or a worked example in steps.
HANDS_ON = frozenset({"steps", "example", "project", "mistakes"})


@dataclass(frozen=True)
class Texts:
    course_titles: dict[str, tuple[str, ...]]  # level -> patterns with {s}
    descriptions: dict[str, tuple[str, ...]]  # level -> with {topics}
    lesson_titles: dict[str, str]  # kind -> pattern
    intros: dict[str, tuple[str, ...]]  # kind -> paragraphs
    level_notes: dict[str, str]  # level -> a sentence added to openers
    headings: dict[str, str]  # ideas, example, exercise, recap
    tips: dict[str, tuple[str, ...]]  # category -> points, in teaching order
    steps: dict[str, tuple[str, ...]]  # category -> steps of a worked example, with {t}
    exercises: dict[str, tuple[str, ...]]  # "code" / "text" -> tasks with {t}, {s}
    conjunction: str  # "and"
    quote: tuple[str, str]  # how a topic is quoted in a list ("" in English)
