"""Course and category routes."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from edu_common.auth import CurrentUser, OptionalUser, Teacher, VerifiedTeacher
from edu_common.db import DbConn, DbRead
from edu_common.errors import error_responses
from edu_common.pagination import Cursor, Cursors, Limit
from fastapi import APIRouter, Query, Request, Response
from pydantic import RootModel

from course.catalog import service
from course.catalog.repository import Course, CourseRepository
from course.catalog.schemas import (
    CatalogPage,
    CategoryOut,
    CourseCreate,
    CourseDetail,
    CourseOut,
    CoursePage,
    CourseUpdate,
    Level,
    Sort,
)
from course.catalog.search import CatalogQuery
from course.dependencies import (
    CATEGORY_COUNTS,
    CacheDep,
    SearchRead,
    Settings,
    looked_up_before_routing,
)

router = APIRouter(tags=["courses"])
MAX_QUERY_CHARS = 200
CategoryList = RootModel[list[CategoryOut]]

_DESCRIPTION_PREVIEW = 300


def _listed(course: Course) -> CourseOut:
    out = CourseOut.model_validate(course, from_attributes=True)
    if len(out.description) > _DESCRIPTION_PREVIEW:
        out.description = out.description[:_DESCRIPTION_PREVIEW].rstrip() + "…"
    return out


def _detail(course: Course) -> CourseDetail:
    return CourseDetail.model_validate(course, from_attributes=True)


@router.get(
    "/courses",
    response_model=CatalogPage,
    responses=error_responses(400, 422),
    summary="The catalog of published courses, searchable and filterable",
    description="`total` is how many courses all the query's pages hold (by relevance: the "
    "ranked set), on the first page only (no `cursor`), and `null` on later pages; it is "
    "counted at most once a minute per query, so a change can take that long to show. Which "
    "courses a page lists, and in what order, is kept for up to 30 seconds per query; what "
    "each listed course says is always current.",
)
async def list_courses(
    request: Request,
    reads: DbRead,
    search_reads: SearchRead,
    cursors: Cursors,
    settings: Settings,
    caches: CacheDep,
    q: Annotated[str | None, Query(max_length=MAX_QUERY_CHARS)] = None,
    category_id: uuid.UUID | None = None,
    level: Level | None = None,
    is_free: bool | None = None,
    teacher_id: uuid.UUID | None = None,
    sort: Sort | None = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Any:
    filters = service.catalog_filter(
        q, category_id, None if level is None else str(level), is_free, teacher_id
    )
    # An empty cursor is the first page's, with its total (and its cached entry).
    cursor = cursor or None
    page_key = service.catalog_page_key(filters, sort, limit, cursor)
    # An anonymous request for a cached page is answered before routing (course.cached_reads).
    if not looked_up_before_routing(request):
        cached = await caches.catalog_pages.get(page_key)
        if cached is not None:
            return Response(cached, media_type="application/json")
    query = CatalogQuery(
        reads if filters.q is None else search_reads, settings.search_candidates, caches.corrections
    )
    hits, next_cursor = await service.catalog(query, cursors, filters, sort, limit, cursor)
    total = None
    # The count is for the first page only: later pages (and "show more") stay as cheap as
    # before.
    if cursor is None:
        total = await service.catalog_total(query, caches.totals, filters, sort)
    page = CatalogPage(
        items=[_listed(hit.course) for hit in hits], next_cursor=next_cursor, total=total
    )
    # Sent as cached, so a page is the same bytes whether it was read or found in the cache.
    return Response(await caches.catalog_pages.put(page_key, page), media_type="application/json")


@router.get(
    "/courses/my",
    response_model=CoursePage,
    responses=error_responses(400, 401, 403, 422),
    summary="The caller's own courses, drafts and archived ones included, newest first",
)
async def my_courses(
    teacher: Teacher, conn: DbRead, cursors: Cursors, limit: Limit = 20, cursor: Cursor = None
) -> Any:
    courses, next_cursor = await service.my_courses(conn, cursors, teacher, limit, cursor)
    return CoursePage(items=[_listed(c) for c in courses], next_cursor=next_cursor)


@router.get(
    "/courses/{course_id}",
    response_model=CourseDetail,
    responses=error_responses(401, 404, 422),
    summary="One course, archived ones included",
    description="A draft is 404 to anyone but its teacher and admins.",
)
async def get_course(
    request: Request, course_id: uuid.UUID, user: OptionalUser, conn: DbRead, caches: CacheDep
) -> Any:
    # Only what anyone may read is cached (never a draft), so a hit needs no access check;
    # it is the document encoded when it was cached, sent as it is. An anonymous hit is
    # answered before routing (course.cached_reads).
    if not looked_up_before_routing(request):
        cached = await caches.courses.get_bytes(course_id)
        if cached is not None:
            return Response(cached, media_type="application/json")
    course = await service.get_course(conn, course_id, user)
    detail = _detail(course)
    if not course.is_draft:
        await caches.courses.set_bytes(course_id, detail.model_dump_json().encode())
    return detail


@router.post(
    "/courses",
    status_code=201,
    response_model=CourseDetail,
    responses=error_responses(400, 401, 403, 422),
    summary="Create a course (verified teachers)",
    description="`status` is `published` (the default) or `draft`: a draft is in no catalog, "
    "search or category count, and 404 to anyone but its teacher and admins until it is "
    "published.",
)
async def create_course(
    teacher: VerifiedTeacher, body: CourseCreate, caches: CacheDep, conn: DbConn
) -> Any:
    caches.drop_counts_after_commit(conn)
    return _detail(await service.create_course(conn, teacher, body))


@router.put(
    "/courses/{course_id}",
    response_model=CourseDetail,
    responses=error_responses(400, 401, 403, 404, 422),
    summary="Change a course (its teacher or an admin); fields left out stay as they are",
)
async def update_course(
    course_id: uuid.UUID,
    user: CurrentUser,
    body: CourseUpdate,
    caches: CacheDep,
    conn: DbConn,
) -> Any:
    caches.drop_after_commit(conn, course_id)
    if "category_id" in body.model_fields_set:
        caches.drop_counts_after_commit(conn)
    return _detail(await service.update_course(conn, user, course_id, body))


@router.delete(
    "/courses/{course_id}",
    status_code=204,
    responses=error_responses(401, 403, 404, 422),
    summary="Remove a course; one with enrollments is archived instead",
)
async def delete_course(
    course_id: uuid.UUID, user: CurrentUser, caches: CacheDep, conn: DbConn
) -> Response:
    caches.drop_after_commit(conn, course_id)
    caches.drop_counts_after_commit(conn)
    await service.remove_course(conn, user, course_id)
    return Response(status_code=204)


@router.post(
    "/courses/{course_id}/publish",
    response_model=CourseDetail,
    responses=error_responses(401, 403, 404, 409, 422),
    summary="Publish a draft (its teacher or an admin)",
    description="200 with the course. A draft needs at least one lesson: 409 "
    "`course_has_no_lessons` otherwise. A published course stays as it is (200); an archived "
    "one is a 409 `course_archived`. 403 `not_course_owner` for another user who may see the "
    "course, 404 for one who may not.",
)
async def publish_course(
    course_id: uuid.UUID, user: CurrentUser, caches: CacheDep, conn: DbConn
) -> Any:
    caches.drop_after_commit(conn, course_id)
    caches.drop_counts_after_commit(conn)
    return _detail(await service.publish_course(conn, user, course_id))


@router.get(
    "/categories",
    response_model=list[CategoryOut],
    summary="Every category with its number of published courses",
)
async def categories(request: Request, conn: DbRead, caches: CacheDep) -> Any:
    # An anonymous hit is answered before routing (course.cached_reads).
    if not looked_up_before_routing(request):
        cached = await caches.categories.get_bytes(CATEGORY_COUNTS)
        if cached is not None:
            return Response(cached, media_type="application/json")
    found = await CourseRepository(conn).categories()
    out = CategoryList([CategoryOut.model_validate(c, from_attributes=True) for c in found])
    # A count read just before a write commits may be cached just after it drops the key:
    # it then lags that write by at most category_counts_ttl_seconds.
    await caches.categories.set_bytes(CATEGORY_COUNTS, out.model_dump_json().encode())
    return out.root
