"""How far a student is through a course, as the one percentage every route shows."""

from __future__ import annotations


def progress_percent(completed_lessons: int, total_lessons: int, status: str) -> int:
    """Of the course's current lessons, rounded down. A course with no lessons left is 100%
    for a student who completed it and 0% for one who has not."""
    if total_lessons == 0:
        return 100 if status == "completed" else 0
    return completed_lessons * 100 // total_lessons
