"""SQL for reviews and the rating kept on the course."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from edu_common.pagination import PageRequest, newest_first, paginate

_COLUMNS = "id, course_id, student_id, author_name, rating, comment, created_at"
_NEWEST = newest_first()


@dataclass(frozen=True)
class Review:
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    author_name: str
    rating: int
    comment: str
    created_at: datetime


class ReviewRepository:
    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def add(
        self, course_id: uuid.UUID, student_id: uuid.UUID, author: str, rating: int, comment: str
    ) -> Review | None:
        """The new review, or None when the student already reviewed the course."""
        row = await self.conn.fetchrow(
            "INSERT INTO reviews (course_id, student_id, author_name, rating, comment)"  # noqa: S608 - columns are constants; values are bound
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (course_id, student_id) DO NOTHING"
            f" RETURNING {_COLUMNS}",
            course_id,
            student_id,
            author,
            rating,
            comment,
        )
        return None if row is None else Review(**dict(row))

    async def count_rating(self, course_id: uuid.UUID, rating: int) -> None:
        # One statement reading the row it updates: concurrent reviews queue on the row lock
        # and each adds to the totals the previous one left.
        await self.conn.execute(
            "UPDATE courses SET review_count = review_count + 1, rating_sum = rating_sum + $2,"
            " avg_rating = round((rating_sum + $2)::numeric / (review_count + 1), 2)"
            " WHERE id = $1",
            course_id,
            rating,
        )

    async def newest(
        self, course_id: uuid.UUID, page: PageRequest
    ) -> tuple[list[Review], str | None]:
        rows, next_cursor = await paginate(
            self.conn,
            f"SELECT {_COLUMNS} FROM reviews WHERE course_id = $1",  # noqa: S608 - columns are constants; values are bound
            [course_id],
            _NEWEST,
            page,
        )
        return [Review(**dict(r)) for r in rows], next_cursor
