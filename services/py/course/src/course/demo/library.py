"""The demo catalog's texts, read from the TOML files in `data/` the first time they are
needed (only when the demo catalog is seeded).

- `data/subjects/*.toml`: what each subject is about and its topics;
- `data/texts/<language>.toml`: the phrasing of titles, descriptions and lessons;
- `data/code_examples.toml`: the code examples of the technical subjects.
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from typing import Any

from course.demo.subject import Subject
from course.demo.texts import Texts

# In catalog order: the technical subjects, the others, those taught in Russian.
SUBJECT_FILES = ("tech", "general", "ru")
LANGUAGES = ("en", "ru")


def _read(*path: str) -> dict[str, Any]:
    data = resources.files("course.demo").joinpath("data", *path).read_text(encoding="utf-8")
    return tomllib.loads(data)


def _strings(values: list[str]) -> tuple[str, ...]:
    return tuple(values)


def _subject(entry: dict[str, Any]) -> Subject:
    titles = entry.get("titles")
    if titles is not None:
        beginner, intermediate, advanced = titles
        titles = (beginner, intermediate, advanced)
    return Subject(
        category=entry["category"],
        name=entry["name"],
        about=entry["about"],
        topics=_strings(entry["topics"]),
        code=entry.get("code"),
        language=entry.get("language", "en"),
        titles=titles,
    )


@cache
def subjects() -> tuple[Subject, ...]:
    """Every demo subject, in catalog order."""
    return tuple(
        _subject(entry)
        for name in SUBJECT_FILES
        for entry in _read("subjects", f"{name}.toml")["subject"]
    )


@cache
def texts(language: str) -> Texts:
    """The phrasing of demo courses in `language` (one of LANGUAGES)."""
    data = _read("texts", f"{language}.toml")

    def lists(name: str) -> dict[str, tuple[str, ...]]:
        return {key: _strings(values) for key, values in data[name].items()}

    left, right = data["quote"]
    return Texts(
        course_titles=lists("course_titles"),
        descriptions=lists("descriptions"),
        lesson_titles=dict(data["lesson_titles"]),
        intros=lists("intros"),
        level_notes=dict(data["level_notes"]),
        headings=dict(data["headings"]),
        tips=lists("tips"),
        steps=lists("steps"),
        exercises=lists("exercises"),
        conjunction=data["conjunction"],
        quote=(left, right),
    )


@cache
def code_examples() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Code examples by family: (the code fence's language, the examples)."""
    return {
        family: (entry["fence"], _strings(entry["examples"]))
        for family, entry in _read("code_examples.toml").items()
    }
