"""Course settings: `EDU_COURSE_*` environment variables (or `.env`)."""

from __future__ import annotations

from edu_common.settings import ServiceSettings
from pydantic import Field
from pydantic_settings import SettingsConfigDict


class CourseSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="EDU_COURSE_", env_file=".env", extra="ignore")

    service_name: str = "course"
    port: int = Field(default=8002, ge=1, le=65535)

    # How long a course or a curriculum stays cached; a write drops it once it commits.
    cache_ttl_seconds: int = Field(default=300, ge=1)
    # How long the catalog's result count for one query in a keyed sort (its first page's
    # `total`) is kept; no write drops it, so a new or changed course shows in the count within
    # this time. By relevance, the page query counts the ranked set itself.
    catalog_total_ttl_seconds: int = Field(default=60, ge=1)
    # How long a catalog page's list of courses (GET /courses, any query and page) is kept;
    # each listed course's card is dropped by every write to it, so only which courses a page
    # lists, and in what order, can lag by this much. 0 reads every page from the database.
    catalog_page_ttl_seconds: int = Field(default=30, ge=0)
    # How long GET /categories' counts stay cached (every course write here that changes a
    # count drops them at once).
    category_counts_ttl_seconds: int = Field(default=60, ge=1)
    # Search ranks at most this many matching courses; beyond it the query is too vague.
    search_candidates: int = Field(default=300, ge=10, le=100_000)
    # Connections per worker for searches, beside the request pool (`db_pool_max_size`): their
    # session plans for the words searched (course.catalog.search.SEARCH_SESSION).
    search_pool_size: int = Field(default=6, ge=1)
    # At start-up, adds the demo courses (by the demo teacher) that are missing; never in
    # production. `edu up` turns it on.
    seed_demo_data: bool = False
