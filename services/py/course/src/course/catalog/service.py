"""Course rules: who may create, change and remove a course, and how the catalog pages."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import asyncpg
from edu_common.cache import JsonCache
from edu_common.errors import AppError, forbidden, not_found
from edu_common.events.contracts import CourseArchived, CourseCreated, CourseUpdated
from edu_common.pagination import CursorCodec, PageRequest
from edu_common.security.tokens import Principal

from course.catalog.events import announce, news_to_others
from course.catalog.repository import CatalogFilter, Course, CourseRepository
from course.catalog.schemas import CourseCreate, CourseUpdate, Sort
from course.catalog.search import CatalogHit, CatalogQuery
from course.validation import invalid_field, null_field

MY_COURSES = "my_courses"


def can_see(course: Course, user: Principal | None) -> bool:
    """A draft is its teacher's and the admins' alone; to anyone else it does not exist."""
    if not course.is_draft:
        return True
    return user is not None and (user.is_admin or user.user_id == course.teacher_id)


async def get_course(
    conn: asyncpg.Connection, course_id: uuid.UUID, user: Principal | None
) -> Course:
    course = await CourseRepository(conn).get(course_id)
    if course is None or not can_see(course, user):
        raise not_found("course")
    return course


async def owned_course(conn: asyncpg.Connection, course_id: uuid.UUID, user: Principal) -> Course:
    """The course, locked for a change by its teacher or an admin."""
    course = await CourseRepository(conn).get(course_id, for_update=True)
    if course is None or not can_see(course, user):
        raise not_found("course")
    if course.teacher_id != user.user_id and not user.is_admin:
        raise forbidden("only the course's teacher can change it", "not_course_owner")
    return course


async def _check_category(repo: CourseRepository, category_id: uuid.UUID | None) -> None:
    if category_id is not None and not await repo.category_exists(category_id):
        raise invalid_field(
            "category_id", "no such category", "unknown_category", code="unknown_category"
        )


async def create_course(conn: asyncpg.Connection, teacher: Principal, body: CourseCreate) -> Course:
    repo = CourseRepository(conn)
    await _check_category(repo, body.category_id)
    course = await repo.create(
        {
            **body.model_dump(),
            "level": str(body.level),
            "teacher_id": teacher.user_id,
            "teacher_name": teacher.name or "",
        }
    )
    await announce(conn, CourseCreated, course)
    return course


async def update_course(
    conn: asyncpg.Connection, user: Principal, course_id: uuid.UUID, body: CourseUpdate
) -> Course:
    before = await owned_course(conn, course_id, user)
    repo = CourseRepository(conn)
    changes = body.model_dump(exclude_unset=True)
    for required in ("title", "level", "price_cents", "currency", "duration_minutes"):
        if required in changes and changes[required] is None:
            raise null_field(required)
    if changes.get("level") is not None:
        changes["level"] = str(changes["level"])
    if changes.get("description") is None:
        changes.pop("description", None)
    await _check_category(repo, changes.get("category_id"))
    course = await repo.update(course_id, changes)
    if news_to_others(before, course):
        await announce(conn, CourseUpdated, course)
    return course


async def remove_course(conn: asyncpg.Connection, user: Principal, course_id: uuid.UUID) -> None:
    """Students who enrolled keep their course: it is archived. Otherwise it is deleted."""
    course = await owned_course(conn, course_id, user)
    repo = CourseRepository(conn)
    if course.enrollment_count > 0 or await repo.has_enrollments(course_id):
        if not course.is_archived:
            archived = await repo.archive(course_id)
            await announce(conn, CourseArchived, archived)
        return
    if not course.is_draft:  # nobody else ever heard of a draft
        gone = replace(course, status="archived", revision=course.revision + 1)
        await announce(conn, CourseArchived, gone)
    await repo.delete(course_id)


async def publish_course(conn: asyncpg.Connection, user: Principal, course_id: uuid.UUID) -> Course:
    """A draft with at least one lesson goes into the catalog, and other services hear of it
    for the first time. Publishing a published course changes nothing."""
    course = await owned_course(conn, course_id, user)
    if course.is_archived:
        raise AppError(409, "course_archived", "an archived course cannot be published again")
    if not course.is_draft:
        return course
    repo = CourseRepository(conn)
    if not await repo.lesson_ids(course_id):
        raise AppError(409, "course_has_no_lessons", "add a lesson before publishing the course")
    published = await repo.publish(course_id)
    await announce(conn, CourseCreated, published)
    return published


def _catalog_kind(sort: Sort, filters: CatalogFilter) -> str:
    return "catalog:" + json.dumps(
        [
            str(sort),
            filters.q,
            str(filters.category_id),
            filters.level,
            filters.is_free,
            str(filters.teacher_id),
        ]
    )


def catalog_filter(
    q: str | None,
    category_id: uuid.UUID | None,
    level: str | None,
    is_free: bool | None,
    teacher_id: uuid.UUID | None,
) -> CatalogFilter:
    """The catalog query the parameters name: the same for the route and for a cached page
    answered before it (`course.cached_reads`)."""
    return CatalogFilter(
        # A NUL cannot reach PostgreSQL as text; it means nothing in a search anyway.
        q=(q or "").replace("\x00", "").strip() or None,
        category_id=category_id,
        level=level,
        is_free=is_free,
        teacher_id=teacher_id,
    )


def catalog_page_key(
    filters: CatalogFilter, sort: Sort | None, limit: int, cursor: str | None
) -> str:
    """Names one page of one catalog query, for `CatalogPages`."""
    return f"{_catalog_kind(_effective_sort(sort, filters), filters)}|{limit}|{cursor or ''}"


async def catalog(
    query: CatalogQuery,
    cursors: CursorCodec,
    filters: CatalogFilter,
    sort: Sort | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[CatalogHit], str | None]:
    sort = _effective_sort(sort, filters)
    page = PageRequest.decode(cursors, _catalog_kind(sort, filters), limit, cursor)
    return await query.page(filters, str(sort), page)


def _effective_sort(sort: Sort | None, filters: CatalogFilter) -> Sort:
    if sort is None or (sort is Sort.RELEVANCE and not filters.q):
        return Sort.RELEVANCE if filters.q else Sort.NEWEST
    return sort


async def catalog_total(
    query: CatalogQuery, totals: JsonCache, filters: CatalogFilter, sort: Sort | None
) -> int:
    """How many courses the catalog query holds. By relevance, the page query counted its
    bounded ranked set already; the keyed sorts share one count, a statement of its own,
    cached for a short while per query."""
    ranked = _effective_sort(sort, filters) is Sort.RELEVANCE
    kind = "relevance" if ranked else "newest"
    known = query.known_total(filters, kind)
    if known is not None:
        return known
    key = _catalog_kind(Sort.RELEVANCE if ranked else Sort.NEWEST, filters)
    cached = await totals.get(key)
    if isinstance(cached, int):
        return cached
    total = await query.total(filters, kind)
    await totals.set(key, total)
    return total


async def my_courses(
    conn: asyncpg.Connection,
    cursors: CursorCodec,
    teacher: Principal,
    limit: int,
    cursor: str | None,
) -> tuple[list[Course], str | None]:
    page = PageRequest.decode(cursors, MY_COURSES, limit, cursor)
    return await CourseRepository(conn).by_teacher(teacher.user_id, page)
