"""The catalog query: filters, full-text search that forgives typos, keyset pagination.

A search runs in two steps. First each query word that no course contains is replaced by its
nearest known word (trigram similarity over the `search_words` vocabulary), so "pyhton" also
asks for "python". Then the full-text search runs with the query as typed OR the corrected
one, on the stemmed English and Russian `search` vector.

Sorted by relevance, a common word matches tens of thousands of courses, too many to read
within a request (each match is a table row to fetch). So the ranked set is bounded: the first
`candidates` matches in the order the full-text index yields them, which is table order, read
by one process from the start of the table, so every page of a query ranks the same set while
the catalog does not change; plus every course whose title is the query (a B-tree lookup), so
an exact title is ranked, and first, however many courses share its words. Ordering the
matches first (newest, say) would mean reading all of them, or walking another index past
every non-matching course: both cost what the bound is there to avoid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import asyncpg

from course.catalog.repository import COURSE_COLUMNS, CatalogFilter, Course, course_from_row

# A word this similar (pg_trgm similarity, 0..1) to a known word is taken as a typo of it:
# low enough for a swapped pair of letters in a six-letter word ("pyhton", 0.27).
TYPO_SIMILARITY = 0.25
# Ranks an exact title above anything else: the text rank (normalised by rank / (rank + 1))
# stays below 1.
EXACT_TITLE_BONUS = 1.0

_CORRECTION = """
SELECT string_agg(w, ' ' ORDER BY n) AS typed,
       string_agg(coalesce(fix, w), ' ' ORDER BY n) AS corrected
FROM (
    SELECT w, n, CASE
        WHEN length(w) < 3 OR EXISTS (SELECT 1 FROM search_words WHERE word = w) THEN NULL
        ELSE (SELECT word FROM (
                SELECT word, word <-> w AS distance FROM search_words
                ORDER BY distance, word LIMIT 1) AS nearest
              WHERE distance <= $2)
    END AS fix
    FROM regexp_split_to_table(lower($1), '[^[:alnum:]]+') WITH ORDINALITY AS t (w, n)
    WHERE w <> ''
) AS words
"""


@dataclass(frozen=True)
class CatalogHit:
    """A course on a catalog page, with its relevance score (0 in the other sorts)."""

    course: Course
    score: float = 0.0


def _hits(rows: list[asyncpg.Record]) -> list[CatalogHit]:
    return [CatalogHit(course_from_row(r), r.get("score", 0.0)) for r in rows]


class CatalogQuery:
    """Builds one page of published courses. `after` holds the sort keys of the last item of
    the previous page, in the order `sort_keys` returns them."""

    def __init__(self, conn: asyncpg.Connection, candidates: int) -> None:
        self.conn = conn
        self.candidates = candidates

    async def corrected(self, q: str) -> str | None:
        """The query with misspelt words replaced, or None when there was nothing to fix."""
        row = await self.conn.fetchrow(_CORRECTION, q, 1 - TYPO_SIMILARITY)
        if row is None or row["corrected"] is None or row["corrected"] == row["typed"]:
            return None
        corrected: str = row["corrected"]
        return corrected

    async def page(
        self, filters: CatalogFilter, sort: str, limit: int, after: list[Any] | None
    ) -> list[CatalogHit]:
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
        filtered = " AND ".join(where)
        order, keyset = self._ordering(sort, after, arg)
        if not filters.q:
            sql = (
                f"SELECT {COURSE_COLUMNS} FROM courses WHERE {filtered} AND {keyset}"
                f" ORDER BY {order} LIMIT {arg(limit)}"
            )
            return _hits(await self.conn.fetch(sql, *args))

        # The best plan depends on how common the words are: plan for these very words. One
        # process reads the matches from the start of the table, so a query bounded by
        # `candidates` finds the same courses on every page (no parallel workers racing, no
        # sequential scan joining another one half-way through the table).
        await self.conn.execute(
            "SET LOCAL plan_cache_mode = force_custom_plan;"
            " SET LOCAL max_parallel_workers_per_gather = 0;"
            " SET LOCAL synchronize_seqscans = off; SET LOCAL enable_seqscan = off"
        )
        q = arg(filters.q)
        tsquery = f"websearch_to_tsquery('russian', {q})"
        titles = f"ARRAY[course_title_key({q})]"
        fixed = await self.corrected(filters.q)
        if fixed is not None:
            f = arg(fixed)
            tsquery = f"({tsquery} || plainto_tsquery('russian', {f}))"
            titles = f"ARRAY[course_title_key({q}), course_title_key({f})]"
        exact = f"course_title_key(title) = ANY ({titles})"
        if sort != "relevance":
            sql = (
                f"SELECT {COURSE_COLUMNS} FROM courses"
                f" WHERE {filtered} AND (search @@ {tsquery} OR {exact}) AND {keyset}"
                f" ORDER BY {order} LIMIT {arg(limit)}"
            )
            return _hits(await self.conn.fetch(sql, *args))

        n = arg(self.candidates)
        rank = f"ts_rank(search, {tsquery}, 32)"
        # Candidates travel as (id, rank) pairs; only the page's courses are read in full.
        sql = (
            f"SELECT {COURSE_COLUMNS}, score FROM courses JOIN ("
            f"SELECT id AS page_id, score FROM ("
            f"SELECT id, (max(rank) + CASE WHEN bool_or(exact) THEN {EXACT_TITLE_BONUS}"
            f" ELSE 0 END)::float8 AS score FROM ("
            f"(SELECT id, {rank} AS rank, false AS exact FROM courses"
            f" WHERE {filtered} AND search @@ {tsquery} LIMIT {n})"
            f" UNION ALL "
            f"(SELECT id, {rank}, true FROM courses"
            f" WHERE {filtered} AND {exact} ORDER BY id LIMIT {n})"
            f") AS found GROUP BY id) AS ranked"
            f" WHERE {keyset} ORDER BY {order} LIMIT {arg(limit)}"
            f") AS page ON courses.id = page.page_id ORDER BY {order}"
        )
        return _hits(await self.conn.fetch(sql, *args))

    @staticmethod
    def _ordering(sort: str, after: list[Any] | None, arg: Any) -> tuple[str, str]:
        """ORDER BY and the keyset condition after the cursor's keys; a row comparison where
        an index serves the order, so a deep page starts where the last one ended."""
        if sort == "relevance":
            order = "score DESC, id"
            if after is None:
                return order, "true"
            s, i = arg(float(after[0])), arg(after[1])
            return order, f"(score < {s} OR (score = {s} AND id > {i}::uuid))"
        if sort == "rating":
            key = "coalesce(avg_rating, -1)"
            order = f"{key} DESC, id DESC"
            if after is None:
                return order, "true"
            r, i = arg(float(after[0])), arg(after[1])
            return order, f"({key}, id) < ({r}::float8::numeric, {i}::uuid)"
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


def sort_keys(sort: str, hit: CatalogHit) -> list[Any]:
    course = hit.course
    if sort == "relevance":
        return [hit.score, str(course.id)]
    if sort == "rating":
        rating = course.avg_rating
        return [-1.0 if rating is None else float(rating), str(course.id)]
    if sort in ("price_asc", "price_desc"):
        return [course.price_cents, str(course.id)]
    return [course.created_at.isoformat(), str(course.id)]
