"""Catalog pages from the cache: the courses a query's page lists, kept for a short while,
and each listed course's card, kept on its own and dropped by every write to the course.

A page's membership and order may lag the catalog by up to `catalog_page_ttl_seconds`: a new
course, or a changed price or rating moving a course within its sort, shows within that time.
What a card says does not wait for the page: a write drops the course's card once it commits,
and a page whose cards are not all cached is read from the database again.

A page read from the database writes each of its cards afresh with the entry, as that read found
them and for as long as the entry is kept, so a cached page's cards live at least as long as
it does. (Cards kept as they were, with the time another page had left them, expired under
pages that still had most of their time: in two minutes of the mix at 400 requests a second,
10,726 cards missing from cached pages against 1,372 with the cards written afresh, and 11,330
pages read from the database against 9,883.)

Each is one round trip to Valkey and one command: a read fetches the page's entry and its
cards in one script, a write stores the cards and the entry in another. The client's cost is
per command, not only per round trip: writing a page's 20 cards and its entry took course
0.61-0.66 ms of CPU as a pipeline of 21 SETs, 0.44-0.50 ms as one script, the cards' encoding
included (docs/performance, optimization log section 27).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from typing import cast

from edu_common.cache import JsonCache
from edu_common.metrics import CACHE_REQUESTS
from redis.asyncio import Redis
from redis.exceptions import RedisError

from course.catalog.schemas import CatalogPage

logger = logging.getLogger("edu.cache")

# KEYS[1] is the page's key, ARGV[1] the prefix of a card's key. Nothing for a page not
# cached; else the page's entry followed by its cards, in its order (nil where one is missing).
_READ_PAGE = """
local entry = redis.call('GET', KEYS[1])
if not entry then return false end
local ids = cjson.decode(entry)['ids']
if #ids == 0 then return {entry} end
local keys = {}
for i, id in ipairs(ids) do keys[i] = ARGV[1] .. id end
local cards = redis.call('MGET', unpack(keys))
table.insert(cards, 1, entry)
return cards
"""

# KEYS[1] is the page's key; ARGV[1] its entry, ARGV[2] the seconds a page and a card are kept,
# ARGV[3] the prefix of a card's key, then each listed course's id and card.
_WRITE_PAGE = """
local ttl = ARGV[2]
for i = 4, #ARGV, 2 do
    redis.call('SET', ARGV[3] .. ARGV[i], ARGV[i + 1], 'EX', ttl)
end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ttl)
return 1
"""


def _page_body(cards: Sequence[bytes], next_cursor: str | None, total: int | None) -> bytes:
    """The page as `CatalogPage.model_dump_json()` encodes it, from its encoded cards."""
    return b"".join(
        (
            b'{"items":[',
            b",".join(cards),
            b'],"next_cursor":',
            json.dumps(next_cursor).encode(),
            b',"total":',
            json.dumps(total).encode(),
            b"}",
        )
    )


class CatalogPages:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        """`ttl_seconds` 0 turns the page cache off. A card lives as long as a page: a card read
        just before a write commits and stored just after the write dropped it is then wrong
        for no longer than a page may lag (and only until the next page listing the course is
        read from the database and writes it again)."""
        self.enabled = ttl_seconds > 0
        self.redis = redis
        self.pages = JsonCache(redis, "course:catalog_page", max(ttl_seconds, 1))
        self.cards = JsonCache(redis, "course:card", max(ttl_seconds, 1))
        self._read_page = redis.register_script(_READ_PAGE)
        self._write_page = redis.register_script(_WRITE_PAGE)

    async def get(self, key: str) -> bytes | None:
        """The page as `CatalogPage.model_dump_json()` would encode it, or None."""
        if not self.enabled:
            return None
        try:
            found = await self._read_page(keys=[self.pages.key(key)], args=[self.cards.key("")])
        except (RedisError, OSError) as exc:
            CACHE_REQUESTS.labels(self.pages.name, "error").inc()
            logger.warning("cache read failed", extra={"cache": self.pages.name, "error": str(exc)})
            return None
        if found is None:
            CACHE_REQUESTS.labels(self.pages.name, "miss").inc()
            return None
        raw_entry, *cards = cast(list[bytes | None], found)
        hits = sum(card is not None for card in cards)
        CACHE_REQUESTS.labels(self.cards.name, "hit").inc(hits)
        CACHE_REQUESTS.labels(self.cards.name, "miss").inc(len(cards) - hits)
        if hits < len(cards):
            # Read from the database all the same: a miss of the page.
            CACHE_REQUESTS.labels(self.pages.name, "miss").inc()
            return None
        CACHE_REQUESTS.labels(self.pages.name, "hit").inc()
        entry = json.loads(cast(bytes, raw_entry))
        return _page_body(cast(list[bytes], cards), entry["next_cursor"], entry["total"])

    async def put(self, key: str, page: CatalogPage) -> bytes:
        """Caches the page read from the database, and returns it encoded as `get` would."""
        cards = [item.model_dump_json().encode() for item in page.items]
        body = _page_body(cards, page.next_cursor, page.total)
        if not self.enabled:
            return body
        ids = [str(item.id) for item in page.items]
        entry = {"ids": ids, "next_cursor": page.next_cursor, "total": page.total}
        args: list[str | bytes | int] = [json.dumps(entry), self.pages.ttl, self.cards.key("")]
        for course_id, card in zip(ids, cards, strict=True):
            args += [course_id, card]
        try:
            await self._write_page(keys=[self.pages.key(key)], args=args)
        except (RedisError, OSError) as exc:
            logger.warning(
                "cache write failed", extra={"cache": self.pages.name, "error": str(exc)}
            )
        return body

    async def drop(self, course_id: uuid.UUID) -> None:
        """Forgets the course's card, so no cached page lists it until it is read again."""
        await self.cards.delete(course_id)
