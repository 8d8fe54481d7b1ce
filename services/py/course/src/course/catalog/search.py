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

A search runs on connections of its own (`SEARCH_SESSION`, the course app's search pool),
whose settings plan for these very words; each statement takes a connection for itself
alone, so no transaction stays open while the request waits for its turn between them.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from cachetools import TTLCache
from edu_common.pagination import (
    INTEGER,
    NUMBER,
    UUID,
    Keyset,
    PageRequest,
    SortKey,
    invalid_cursor,
    newest_first,
    paginate,
)

from course.catalog.repository import COURSE_COLUMNS, CatalogFilter, Course, course_from_row

# A word this similar (pg_trgm similarity, 0..1) to a known word is taken as a typo of it:
# low enough for a swapped pair of letters in a six-letter word ("pyhton", 0.27).
TYPO_SIMILARITY = 0.25
# A typo adds or drops at most this many letters: without the bound, a made-up word was
# "corrected" to a short word it begins with ("hoczgcxreq" to "hoc", similarity 0.25).
TYPO_LENGTH_CHANGE = 2
# How many queries' corrections a worker keeps (`corrections_kept`).
CORRECTIONS_KEPT = 10_000
# Ranks an exact title above anything else: the text rank (normalised by rank / (rank + 1))
# stays below 1.
EXACT_TITLE_BONUS = 1.0

# What every search connection starts with. The best plan depends on how common the words
# are: plan for these very words, never a generic plan. One process reads the matches from the
# start of the table, so a query bounded by `candidates` finds the same courses on every page
# (no parallel workers racing, no sequential scan joining another one half-way through the
# table); the matches come from the text index. A typo's candidates are the known words at
# least `TYPO_SIMILARITY` alike (`word % w`, from the vocabulary's trigram index).
SEARCH_SESSION = {
    "pg_trgm.similarity_threshold": str(TYPO_SIMILARITY),
    "plan_cache_mode": "force_custom_plan",
    "max_parallel_workers_per_gather": "0",
    "synchronize_seqscans": "off",
    "enable_seqscan": "off",
}

_CORRECTION = """
SELECT string_agg(w, ' ' ORDER BY n) AS typed,
       string_agg(coalesce(fix, w), ' ' ORDER BY n) AS corrected
FROM (
    SELECT w, n, CASE
        WHEN length(w) < 3 OR EXISTS (SELECT 1 FROM search_words WHERE word = w) THEN NULL
        ELSE (SELECT word FROM (
                SELECT word, word <-> w AS distance FROM search_words
                WHERE word % w AND abs(length(word) - length(w)) <= $3
                ORDER BY distance, word LIMIT 1) AS nearest
              WHERE distance <= $2)
    END AS fix
    FROM regexp_split_to_table(lower($1), '[^[:alnum:]]+') WITH ORDINALITY AS t (w, n)
    WHERE w <> ''
) AS words
"""


# The keyed sorts, each served by an index on published courses (migration 002). A NULL
# rating sorts last, as -1: a row comparison with NULL would match nothing.
_ID = SortKey("id", "id", UUID)
KEYSETS: dict[str, Keyset] = {
    "newest": newest_first(),
    "rating": Keyset(
        (
            SortKey(
                "coalesce(avg_rating, -1)",
                "avg_rating",
                NUMBER,
                null_as=-1.0,
                cast="::float8::numeric",
            ),
            _ID,
        )
    ),
    "price_asc": Keyset((SortKey("price_cents", "price_cents", INTEGER), _ID), descending=False),
    "price_desc": Keyset((SortKey("price_cents", "price_cents", INTEGER), _ID)),
}


def corrections_kept(ttl_seconds: int) -> MutableMapping[str, str] | None:
    """A worker's store of the corrections it looked up (query -> corrected query, "" when
    there was nothing to fix), each kept for `ttl_seconds`, or None to look each one up.

    A query's correction changes only when the vocabulary does (a course with a new word in
    its title), and which courses a catalog page lists may lag by the page cache's time already
    (`catalog_page_ttl_seconds`): kept that long, a correction lags no more than the page."""
    if ttl_seconds <= 0:
        return None
    return TTLCache(maxsize=CORRECTIONS_KEPT, ttl=ttl_seconds)


@dataclass(frozen=True)
class CatalogHit:
    """A course on a catalog page, with its relevance score (0 in the other sorts)."""

    course: Course
    score: float = 0.0


class CatalogQuery:
    """Builds one page of published courses and the cursor of the next one, and counts them.

    `conn` runs browsing on any connection; a search (`q`) needs a connection with
    `SEARCH_SESSION`'s settings. One instance serves one request: a query's correction is
    looked up once for its page and its count, or once a while per worker when it is given
    `corrections` to keep them in (`corrections_kept`)."""

    def __init__(
        self,
        conn: asyncpg.Connection,
        candidates: int,
        corrections: MutableMapping[str, str] | None = None,
    ) -> None:
        self.conn = conn
        self.candidates = candidates
        self._corrections: MutableMapping[str, str] = {} if corrections is None else corrections
        # Ranked-set sizes the relevance page query counted on its way (filters -> size).
        self._ranked_totals: dict[CatalogFilter, int] = {}

    async def corrected(self, q: str) -> str | None:
        """The query with misspelt words replaced, or None when there was nothing to fix."""
        fixed = self._corrections.get(q)
        if fixed is None:
            row = await self.conn.fetchrow(_CORRECTION, q, 1 - TYPO_SIMILARITY, TYPO_LENGTH_CHANGE)
            found = None if row is None else row["corrected"]
            fixed = "" if found is None or found == row["typed"] else found
            self._corrections[q] = fixed
        return fixed or None

    async def page(
        self, filters: CatalogFilter, sort: str, page: PageRequest
    ) -> tuple[list[CatalogHit], str | None]:
        args: list[Any] = []
        arg = _binder(args)
        filtered = _filtered(filters, arg)
        if not filters.q:
            return await self._keyed(
                f"SELECT {COURSE_COLUMNS} FROM courses WHERE {filtered}",  # noqa: S608 - conditions are constants with bind placeholders
                args,
                sort,
                page,
            )

        tsquery, exact = await self._matching(filters.q, arg)
        if sort != "relevance":
            # Walking the sort's index and testing every course against the query looks
            # cheap to the planner, which prices a text match like a comparison; for a word in
            # about a thousand courses it read thousands of rows (120 ms, 600 ms under load).
            # Reading the matches from the text index and sorting them costs what the number
            # of matches costs: 8-60 ms at 100K courses for the commonest words. `OFFSET 0`
            # keeps the matching apart from the page's ORDER BY, so it is planned on its own.
            sql = (
                f"SELECT * FROM (SELECT {COURSE_COLUMNS} FROM courses"  # noqa: S608 - fragments are constants with bind placeholders
                f" WHERE {filtered} AND (search @@ {tsquery} OR {exact}) OFFSET 0) AS matches"
                " WHERE true"
            )
            return await self._keyed(sql, args, sort, page)

        # Relevance is no keyset of the table: the score exists only within the ranked set,
        # and ties on it go by ascending id.
        keyset = "true"
        if page.after is not None:
            score, after_id = _relevance_after(page.after)
            s, i = arg(score), arg(after_id)
            keyset = f"(score < {s} OR (score = {s} AND id > {i}))"
        n = arg(self.candidates)
        rank = f"ts_rank(search, {tsquery}, 32)"
        order = "score DESC, id"
        # Candidates travel as (id, rank) pairs; only the page's courses are read in full.
        sql = (
            f"SELECT {COURSE_COLUMNS}, score, ranked_total FROM courses JOIN ("  # noqa: S608 - fragments are constants with bind placeholders
            f"SELECT id AS page_id, score, ranked_total FROM ("
            f"SELECT id, (max(rank) + CASE WHEN bool_or(exact) THEN {EXACT_TITLE_BONUS}"
            f" ELSE 0 END)::float8 AS score, count(*) OVER () AS ranked_total FROM ("
            f"(SELECT id, {rank} AS rank, false AS exact FROM courses"
            f" WHERE {filtered} AND search @@ {tsquery} LIMIT {n})"
            f" UNION ALL "
            f"(SELECT id, {rank}, true FROM courses"
            f" WHERE {filtered} AND {exact} ORDER BY id LIMIT {n})"
            f") AS found GROUP BY id) AS ranked"
            f" WHERE {keyset} ORDER BY {order} LIMIT {arg(page.limit + 1)}"
            f") AS page ON courses.id = page.page_id ORDER BY {order}"
        )
        rows = await self.conn.fetch(sql, *args)
        # The whole ranked set is grouped before the page is cut from it, so its size comes
        # with any row of any page, and a first page with no rows means an empty set.
        if rows or page.after is None:
            self._ranked_totals[filters] = rows[0]["ranked_total"] if rows else 0
        hits = [CatalogHit(course_from_row(r), r["score"]) for r in rows]
        if len(hits) <= page.limit:
            return hits, None
        hits = hits[: page.limit]
        last = hits[-1]
        return hits, page.cursors.encode(page.kind, [last.score, str(last.course.id)])

    def known_total(self, filters: CatalogFilter, sort: str) -> int | None:
        """The total without a statement of its own, when a page this query read counted it
        (by relevance: the ranked set's size comes with its page)."""
        return self._ranked_totals.get(filters) if sort == "relevance" else None

    async def total(self, filters: CatalogFilter, sort: str) -> int:
        """How many courses the pages of this query hold, all pages together: every match in
        the keyed sorts, the bounded ranked set (candidates plus exact titles) by relevance
        (which a page of the query counts already: see `known_total`)."""
        args: list[Any] = []
        arg = _binder(args)
        filtered = _filtered(filters, arg)
        if not filters.q:
            sql = f"SELECT count(*) FROM courses WHERE {filtered}"  # noqa: S608 - conditions are constants with bind placeholders
        else:
            tsquery, exact = await self._matching(filters.q, arg)
            if sort != "relevance":
                sql = (
                    f"SELECT count(*) FROM courses"  # noqa: S608 - fragments are constants with bind placeholders
                    f" WHERE {filtered} AND (search @@ {tsquery} OR {exact})"
                )
            else:
                n = arg(self.candidates)
                sql = (
                    f"SELECT count(*) FROM ("  # noqa: S608 - fragments are constants with bind placeholders
                    f"(SELECT id FROM courses WHERE {filtered} AND search @@ {tsquery} LIMIT {n})"
                    f" UNION "
                    f"(SELECT id FROM courses WHERE {filtered} AND {exact} ORDER BY id LIMIT {n})"
                    f") AS found"
                )
        count: int = await self.conn.fetchval(sql, *args)
        return count

    async def _matching(self, q: str, arg: Callable[[Any], str]) -> tuple[str, str]:
        """The full-text query (as typed OR corrected) and the exact-title condition."""
        typed = arg(q)
        tsquery = f"websearch_to_tsquery('russian', {typed})"
        titles = f"ARRAY[course_title_key({typed})]"
        fixed = await self.corrected(q)
        if fixed is not None:
            f = arg(fixed)
            tsquery = f"({tsquery} || plainto_tsquery('russian', {f}))"
            titles = f"ARRAY[course_title_key({typed}), course_title_key({f})]"
        return tsquery, f"course_title_key(title) = ANY ({titles})"

    async def _keyed(
        self, query: str, args: list[Any], sort: str, page: PageRequest
    ) -> tuple[list[CatalogHit], str | None]:
        rows, next_cursor = await paginate(self.conn, query, args, KEYSETS[sort], page)
        return [CatalogHit(course_from_row(r)) for r in rows], next_cursor


def _binder(args: list[Any]) -> Callable[[Any], str]:
    """Binds a value as the query's next `$n` placeholder."""

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    return arg


def _filtered(filters: CatalogFilter, arg: Callable[[Any], str]) -> str:
    """The filters' conditions on published courses, values bound through `arg`."""
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
    return " AND ".join(where)


def _relevance_after(values: list[Any]) -> tuple[float, Any]:
    """The score and id of the last course served, from a relevance cursor."""
    try:
        score, course_id = values
        return NUMBER.load(score), UUID.load(course_id)
    except (ValueError, TypeError):
        raise invalid_cursor() from None
