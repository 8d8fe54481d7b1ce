"""Catalog pages from the cache: the courses a query's page lists, kept for a short while,
and each listed course's card, kept on its own and dropped by every write to the course.

A page's membership and order may lag the catalog by up to `catalog_page_ttl_seconds`: a new
course, or a changed price or rating moving a course within its sort, shows within that time.
What a card says does not wait for the page: a write drops the course's card once it commits,
and a page whose cards are not all cached is read from the database again.
"""

from __future__ import annotations

import json
import uuid

from edu_common.cache import JsonCache
from redis.asyncio import Redis

from course.catalog.schemas import CatalogPage


class CatalogPages:
    def __init__(self, redis: Redis, ttl_seconds: int) -> None:
        """`ttl_seconds` 0 turns the page cache off. A card lives as long as a page: a card read
        just before a write commits and stored just after the write dropped it is then wrong
        for no longer than a page may lag."""
        self.enabled = ttl_seconds > 0
        self.pages = JsonCache(redis, "course:catalog_page", max(ttl_seconds, 1))
        self.cards = JsonCache(redis, "course:card", max(ttl_seconds, 1))

    async def get(self, key: str) -> bytes | None:
        """The page as `CatalogPage.model_dump_json()` would encode it, or None."""
        if not self.enabled:
            return None
        raw = await self.pages.get_bytes(key)
        if raw is None:
            return None
        entry = json.loads(raw)
        cards = await self.cards.get_many_bytes(entry["ids"])
        if any(card is None for card in cards):
            return None
        return b"".join(
            (
                b'{"items":[',
                b",".join(card for card in cards if card is not None),
                b'],"next_cursor":',
                json.dumps(entry["next_cursor"]).encode(),
                b',"total":',
                json.dumps(entry["total"]).encode(),
                b"}",
            )
        )

    async def put(self, key: str, page: CatalogPage) -> None:
        if not self.enabled:
            return
        # Most cards are cached already (other pages list the same courses): write only the
        # missing ones, which is one read where writing them all would be a write per card.
        present = await self.cards.get_many_bytes([item.id for item in page.items])
        await self.cards.set_many_bytes(
            {
                item.id: item.model_dump_json().encode()
                for item, card in zip(page.items, present, strict=True)
                if card is None
            }
        )
        entry = {
            "ids": [str(item.id) for item in page.items],
            "next_cursor": page.next_cursor,
            "total": page.total,
        }
        await self.pages.set_bytes(key, json.dumps(entry).encode())

    async def drop(self, course_id: uuid.UUID) -> None:
        """Forgets the course's card, so no cached page lists it until it is read again."""
        await self.cards.delete(course_id)
