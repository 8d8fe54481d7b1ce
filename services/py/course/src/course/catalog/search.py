"""The catalog query: filters, full-text and typo-tolerant search, keyset pagination."""

from __future__ import annotations

from typing import Any

import asyncpg

from course.catalog.repository import COURSE_COLUMNS, CatalogFilter

# word_similarity threshold for `q <% title`: low enough that a typo or two still matches.
TYPO_THRESHOLD = 0.4


class CatalogQuery:
    """Builds one page of published courses. `after` holds the sort keys of the last item of
    the previous page, in the order `sort_keys` returns them."""

    def __init__(self, conn: asyncpg.Connection, candidates: int) -> None:
        self.conn = conn
        self.candidates = candidates

    async def page(
        self, filters: CatalogFilter, sort: str, limit: int, after: list[Any] | None
    ) -> list[dict[str, Any]]:
        args: list[Any] = []

        def arg(value: Any) -> str:
            args.append(value)
            return f"${len(args)}"

        where = ["status = 'published'"]
        if filters.category_id is not None:
            where.append(f"category_id = {arg(filters.category_id)}")
        if filters.level is not None:
            where.append(f"level = {arg(filters.level)}")
        if filters.is_free is True:
            where.append("price_cents = 0")
        elif filters.is_free is False:
            where.append("price_cents > 0")
        if filters.teacher_id is not None:
            where.append(f"teacher_id = {arg(filters.teacher_id)}")
        score = "0::float8"
        if filters.q:
            await self.conn.execute(
                f"SET LOCAL pg_trgm.word_similarity_threshold = {TYPO_THRESHOLD}"
            )
            q = arg(filters.q)
            query = f"websearch_to_tsquery('simple', {q})"
            where.append(f"(search @@ {query} OR {q} <% title)")
            score = f"(ts_rank(search, {query}) + word_similarity({q}, title))::float8"
        order, keyset = self._ordering(sort, after, arg)
        limit_arg = arg(limit)
        bound = ""
        if sort == "relevance":
            bound = f" LIMIT {arg(self.candidates)}"
        rows = await self.conn.fetch(
            f"SELECT * FROM (SELECT {COURSE_COLUMNS}, {score} AS score FROM courses"
            f" WHERE {' AND '.join(where)}{bound}) AS c"
            f" WHERE {keyset} ORDER BY {order} LIMIT {limit_arg}",
            *args,
        )
        return [dict(r) for r in rows]

    @staticmethod
    def _ordering(sort: str, after: list[Any] | None, arg: Any) -> tuple[str, str]:
        if sort == "relevance":
            order = "score DESC, id"
            if after is None:
                return order, "true"
            s, i = arg(float(after[0])), arg(after[1])
            return order, f"(score < {s} OR (score = {s} AND id > {i}::uuid))"
        if sort == "rating":
            key = "coalesce(avg_rating, -1)"
            order = f"{key} DESC, id"
            if after is None:
                return order, "true"
            r, i = arg(float(after[0])), arg(after[1])
            return order, f"({key} < {r} OR ({key} = {r} AND id > {i}::uuid))"
        if sort == "price_asc":
            if after is None:
                return "price_cents, id", "true"
            return "price_cents, id", f"(price_cents, id) > ({arg(after[0])}, {arg(after[1])})"
        if sort == "price_desc":
            order = "price_cents DESC, id DESC"
            if after is None:
                return order, "true"
            return order, f"(price_cents, id) < ({arg(after[0])}, {arg(after[1])})"
        order = "created_at DESC, id DESC"
        if after is None:
            return order, "true"
        return order, f"(created_at, id) < ({arg(after[0])}, {arg(after[1])})"


def sort_keys(sort: str, row: dict[str, Any]) -> list[Any]:
    if sort == "relevance":
        return [row["score"], str(row["id"])]
    if sort == "rating":
        rating = row["avg_rating"]
        return [-1.0 if rating is None else float(rating), str(row["id"])]
    if sort in ("price_asc", "price_desc"):
        return [row["price_cents"], str(row["id"])]
    return [row["created_at"].isoformat(), str(row["id"])]
