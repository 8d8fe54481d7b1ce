from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from edu_common.events.contracts import EnrollmentCompleted, EnrollmentCreated


async def _review(
    client: httpx.AsyncClient, headers: dict[str, str], course_id: str, **fields: Any
) -> httpx.Response:
    return await client.post(
        "/reviews", json={"course_id": course_id, "rating": 5, **fields}, headers=headers
    )


async def test_enrolled_student_reviews_once(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, enroll: Any
) -> None:
    course = await make_course(price_cents=2500)
    cid = course["id"]
    student_id, student = tokens.student(name="Grace Student")
    await enroll(cid, student_id)
    before = (await client.get(f"/courses/{cid}")).json()  # fills the cache
    assert (before["avg_rating"], before["review_count"]) == (None, 0)

    r = await _review(
        client,
        student,
        cid,
        rating=4,
        comment="Clear <b>and</b> kind<script>alert(1)</script>",
        author_name="Someone else",
        student_id=str(uuid.uuid4()),
    )
    assert r.status_code == 201, r.text
    review = r.json()
    assert review["course_id"] == cid
    assert review["student_id"] == str(student_id)
    assert review["author_name"] == "Grace Student"
    assert review["rating"] == 4
    assert review["comment"] == "Clear and kind"

    after = (await client.get(f"/courses/{cid}")).json()
    assert (after["avg_rating"], after["review_count"]) == (4.0, 1)

    r = await _review(client, student, cid, rating=1, comment="Changed my mind")
    assert r.status_code == 409
    assert r.json()["code"] == "already_reviewed"
    again = (await client.get(f"/courses/{cid}")).json()
    assert (again["avg_rating"], again["review_count"]) == (4.0, 1)
    listed = (await client.get(f"/reviews/course/{cid}")).json()["items"]
    assert [x["rating"] for x in listed] == [4]


async def test_average_over_several_reviews(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, enroll: Any
) -> None:
    course = await make_course()
    for rating in (5, 4, 4):
        student_id, student = tokens.student()
        await enroll(course["id"], student_id)
        assert (await _review(client, student, course["id"], rating=rating)).status_code == 201
    found = (await client.get(f"/courses/{course['id']}")).json()
    assert found["review_count"] == 3
    assert found["avg_rating"] == 4.33
    listed = (await client.get("/courses")).json()["items"]
    assert [c["avg_rating"] for c in listed if c["id"] == course["id"]] == [4.33]


async def test_who_may_not_review(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, teacher: Any, enroll: Any
) -> None:
    course = await make_course()
    cid = course["id"]
    other = await make_course(title="Another course")
    enrolled_elsewhere, elsewhere = tokens.student()
    await enroll(other["id"], enrolled_elsewhere)

    r = await _review(client, elsewhere, cid)
    assert r.status_code == 403
    assert r.json()["code"] == "not_enrolled"
    _, stranger = tokens.student()
    r = await _review(client, stranger, cid)
    assert r.status_code == 403
    assert r.json()["code"] == "not_enrolled"
    assert (await _review(client, teacher[1], cid)).status_code == 403
    _, admin = tokens.admin()
    assert (await _review(client, admin, cid)).status_code == 403
    _, service = tokens.service()
    assert (await _review(client, service, cid)).status_code == 403
    assert (await _review(client, {}, cid)).status_code == 401
    bad_token = {"Authorization": "Bearer not-a-token"}
    assert (await _review(client, bad_token, cid)).status_code == 401
    r = await _review(client, elsewhere, str(uuid.uuid4()))
    assert r.status_code == 404

    found = (await client.get(f"/courses/{cid}")).json()
    assert (found["avg_rating"], found["review_count"]) == (None, 0)
    assert (await client.get(f"/reviews/course/{cid}")).json()["items"] == []


async def test_review_bad_input(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, enroll: Any
) -> None:
    course = await make_course()
    student_id, student = tokens.student()
    await enroll(course["id"], student_id)
    base = {"course_id": course["id"], "rating": 3, "comment": "ok"}
    for bad in (
        {"rating": 0},
        {"rating": 6},
        {"rating": -1},
        {"rating": "five"},
        {"rating": 4.5},
        {"rating": True},
        {"rating": "5"},
        {"rating": None},
        {"course_id": "nope"},
        {"course_id": None},
        {"comment": "x" * 5001},
        {"comment": ["a list"]},
    ):
        r = await client.post("/reviews", json={**base, **bad}, headers=student)
        assert r.status_code == 422, (bad, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = await client.post("/reviews", json={"course_id": course["id"]}, headers=student)
    assert r.status_code == 422
    r = await client.post(
        "/reviews", content=b'{"rating": 5', headers={**student, "content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["code"] == "malformed_json"
    # Nothing above was stored: the one real review still goes through.
    assert (await client.post("/reviews", json=base, headers=student)).status_code == 201


async def test_comment_markup_is_stripped(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, enroll: Any
) -> None:
    course = await make_course()
    payloads = {
        "<script>alert(1)</script>Great": "Great",
        "<img src=x onerror=alert(1)>Nice": "Nice",
        '<a href="javascript:alert(1)">link</a> here': "link here",
        "&lt;script&gt;alert(1)&lt;/script&gt;Fine": "Fine",
        "<svg onload=alert(1)>": "",
        "5 < 6 and 7 > 3": "5 < 6 and 7 > 3",
    }
    for payload, expected in payloads.items():
        student_id, student = tokens.student(name="<b>Eve</b>")
        await enroll(course["id"], student_id)
        r = await _review(client, student, course["id"], comment=payload)
        assert r.status_code == 201, r.text
        assert r.json()["comment"] == expected, payload
    listed = (await client.get(f"/reviews/course/{course['id']}?limit=100")).json()["items"]
    assert len(listed) == len(payloads)
    for review in listed:
        assert "<script" not in review["comment"]
        assert "onerror" not in review["comment"]
        assert "javascript:" not in review["comment"]


async def test_concurrent_reviews_add_up(
    client: httpx.AsyncClient,
    make_course: Any,
    tokens: Any,
    deliver: Any,
    settle: Any,
    enroll: Any,
    course_service: Any,
) -> None:
    course = await make_course()
    cid = course["id"]
    students = [tokens.student(name=f"Student {i}") for i in range(20)]
    for student_id, _ in students:
        await deliver(
            EnrollmentCreated(
                enrollment_id=uuid.uuid4(),
                course_id=uuid.UUID(cid),
                student_id=student_id,
                course_title="A course",
            )
        )
    await settle()
    await client.get(f"/courses/{cid}")  # cached before the burst
    ratings = [i % 5 + 1 for i in range(20)]
    responses = await asyncio.gather(
        *(
            _review(client, headers, cid, rating=rating, comment=f"review {i}")
            for i, ((_, headers), rating) in enumerate(zip(students, ratings, strict=True))
        )
    )
    assert [r.status_code for r in responses] == [201] * 20
    found = (await client.get(f"/courses/{cid}")).json()
    assert found["review_count"] == 20
    assert found["avg_rating"] == round(sum(ratings) / 20, 2)
    row = await course_service.pool.fetchrow(
        "SELECT review_count, rating_sum FROM courses WHERE id = $1", uuid.UUID(cid)
    )
    assert (row["review_count"], row["rating_sum"]) == (20, sum(ratings))

    # One student sending the same review many times at once gets exactly one in.
    student_id, headers = tokens.student()
    await enroll(cid, student_id)
    burst = await asyncio.gather(*(_review(client, headers, cid, rating=1) for _ in range(8)))
    assert sorted(r.status_code for r in burst) == [201] + [409] * 7
    found = (await client.get(f"/courses/{cid}")).json()
    assert found["review_count"] == 21
    assert found["avg_rating"] == round((sum(ratings) + 1) / 21, 2)


async def test_reviews_page_newest_first(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, enroll: Any
) -> None:
    course = await make_course()
    cid = course["id"]
    written = []
    for i in range(7):
        student_id, student = tokens.student(name=f"Reader {i}")
        await enroll(cid, student_id)
        r = await _review(client, student, cid, rating=i % 5 + 1, comment=f"number {i}")
        written.append(r.json()["id"])

    seen: list[dict[str, Any]] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        r = await client.get(f"/reviews/course/{cid}", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        seen += page["items"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert [x["id"] for x in seen] == list(reversed(written))
    assert [x["author_name"] for x in seen[:2]] == ["Reader 6", "Reader 5"]
    stamps = [x["created_at"] for x in seen]
    assert stamps == sorted(stamps, reverse=True)

    first = (await client.get(f"/reviews/course/{cid}", params={"limit": 3})).json()
    other = await make_course(title="Other")
    r = await client.get(f"/reviews/course/{other['id']}", params={"cursor": first["next_cursor"]})
    assert r.status_code == 400
    assert r.json()["code"] == "invalid_cursor"
    for bad in ("garbage", first["next_cursor"][:-2] + "AA", "x" * 3000):
        r = await client.get(f"/reviews/course/{cid}", params={"cursor": bad})
        assert r.status_code in (400, 422), bad
        assert r.status_code == (422 if len(bad) > 2048 else 400)
    for limit in (0, 101, -1):
        r = await client.get(f"/reviews/course/{cid}", params={"limit": limit})
        assert r.status_code == 422
    assert (await client.get(f"/reviews/course/{uuid.uuid4()}")).status_code == 404
    assert (await client.get("/reviews/course/not-a-uuid")).status_code == 422


async def test_graduates_review_even_archived_courses(
    client: httpx.AsyncClient,
    make_course: Any,
    tokens: Any,
    teacher: Any,
    deliver: Any,
    settle: Any,
    enroll: Any,
) -> None:
    course = await make_course(price_cents=900)
    cid = course["id"]
    graduate_id, graduate = tokens.student(name="Graduate")
    await deliver(
        EnrollmentCompleted(
            enrollment_id=uuid.uuid4(),
            course_id=uuid.UUID(cid),
            student_id=graduate_id,
            course_title="A course",
            completed_at=datetime.now(UTC),
        )
    )
    await settle()
    assert (await _review(client, graduate, cid, rating=5)).status_code == 201
    student_id, student = tokens.student()
    await enroll(cid, student_id)
    assert (await client.delete(f"/courses/{cid}", headers=teacher[1])).status_code == 204
    assert (await client.get(f"/courses/{cid}")).json()["status"] == "archived"
    assert (await _review(client, student, cid, rating=2)).status_code == 201
    found = (await client.get(f"/courses/{cid}")).json()
    assert (found["review_count"], found["avg_rating"]) == (2, 3.5)
    assert len((await client.get(f"/reviews/course/{cid}")).json()["items"]) == 2


async def test_one_student_reviewing_in_parallel_reviews_once(
    client: httpx.AsyncClient, make_course: Any, tokens: Any, enroll: Any
) -> None:
    course = await make_course()
    cid = course["id"]
    student_id, student = tokens.student(name="Twice Clicked")
    await enroll(cid, student_id)
    await client.get(f"/courses/{cid}")  # cached before the burst
    responses = await asyncio.gather(
        *(_review(client, student, cid, rating=i % 5 + 1) for i in range(10))
    )
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 9, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_reviewed"}
    [created] = [r.json() for r in responses if r.status_code == 201]
    after = (await client.get(f"/courses/{cid}")).json()
    assert (after["avg_rating"], after["review_count"]) == (float(created["rating"]), 1)
    listed = (await client.get(f"/reviews/course/{cid}")).json()["items"]
    assert [x["id"] for x in listed] == [created["id"]]
