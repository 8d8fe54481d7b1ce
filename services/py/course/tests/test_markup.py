"""No script survives in any text a teacher or a student writes."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
from course.app import MIGRATIONS

PAYLOADS = {
    "<script>alert(1)</script>Intro": "Intro",
    "<img src=x onerror=alert(1)>Intro": "Intro",
    '<a href="javascript:alert(1)">Intro</a>': "Intro",
    "<svg/onload=alert(1)>Intro": "Intro",
    "&lt;script&gt;alert(1)&lt;/script&gt;Intro": "Intro",
    "<scr<script>ipt>alert(1)</script>Intro": "ipt>alert(1)Intro",
    '<iframe src="javascript:alert(1)"></iframe>Intro': "Intro",
}


def _no_markup(text: str) -> None:
    assert "<" not in text or not re.search(r"<\s*[a-z/!]", text, re.I), text
    assert "onerror=" not in text.replace(" ", "")


async def test_course_text_fields(
    client: httpx.AsyncClient, make_course: Any, teacher: Any
) -> None:
    for payload, expected in PAYLOADS.items():
        course = await make_course(title=payload, description=payload)
        assert course["title"] == expected, payload
        assert course["description"] == expected
        _no_markup(course["title"])
        r = await client.put(
            f"/courses/{course['id']}",
            json={"title": "ok " + payload, "description": payload + " more"},
            headers=teacher[1],
        )
        assert r.status_code == 200, r.text
        assert r.json()["title"] == "ok " + expected
        _no_markup(r.json()["description"])
        found = (await client.get(f"/courses/{course['id']}")).json()
        assert found["title"] == "ok " + expected
    listed = (await client.get("/courses", params={"limit": 100})).json()["items"]
    assert len(listed) == len(PAYLOADS)
    for course in listed:
        _no_markup(course["title"])
        _no_markup(course["description"])


async def test_module_and_lesson_titles(
    client: httpx.AsyncClient, make_course: Any, add_module: Any, add_lesson: Any, teacher: Any
) -> None:
    course = await make_course()
    for payload, expected in PAYLOADS.items():
        module = await add_module(course["id"], title=payload)
        assert module["title"] == expected
        r = await client.put(
            f"/modules/{module['id']}", json={"title": payload}, headers=teacher[1]
        )
        assert r.json()["title"] == expected
        lesson = await add_lesson(module["id"], title=payload)
        assert lesson["title"] == expected
        r = await client.put(
            f"/lessons/{lesson['id']}", json={"title": payload}, headers=teacher[1]
        )
        assert r.json()["title"] == expected
    cur = (await client.get(f"/courses/{course['id']}/curriculum")).json()
    for module in cur["modules"]:
        _no_markup(module["title"])
        for lesson in module["lessons"]:
            _no_markup(lesson["title"])


async def test_lesson_markdown_kept_and_rendered_safely(
    client: httpx.AsyncClient, make_course: Any, add_module: Any, add_lesson: Any, teacher: Any
) -> None:
    course = await make_course()
    module = await add_module(course["id"])
    content = "\n\n".join(
        [
            "# Safe heading",
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](&#106;avascript:alert(1))",
            "[d](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "![e](javascript:alert(1)) <javascript:alert(1)>",
            '<a href="javascript:alert(1)">f</a> <div onclick="alert(1)">g</div>',
            "[ok](https://example.com/page) `code <b>` **bold**",
        ]
    )

    def check(html: str) -> None:
        lowered = html.lower()
        for bad in ("<script", "<img", "<div", "<iframe", "<style"):
            assert bad not in lowered, (bad, html)
        # Handlers may show up as escaped text, never inside a tag.
        assert not re.search(r"<[^>]*\son\w+\s*=", lowered), html
        assert not re.search(r"<[^>]*(href|src)\s*=\s*\"?\s*(javascript|data):", lowered), html
        assert "<h1>Safe heading</h1>" in html
        assert '<a href="https://example.com/page"' in html
        assert "<code>code &lt;b&gt;</code>" in html
        assert "<strong>bold</strong>" in html

    lesson = await add_lesson(module["id"], content=content)
    assert lesson["content"] == content
    check(lesson["content_html"])
    r = await client.get(f"/lessons/{lesson['id']}")
    assert r.json()["content"] == content
    check(r.json()["content_html"])

    edited = content + "\n\n<style>body{display:none}</style>"
    r = await client.put(f"/lessons/{lesson['id']}", json={"content": edited}, headers=teacher[1])
    assert r.status_code == 200
    assert r.json()["content"] == edited
    check(r.json()["content_html"])
    assert "<style" not in r.json()["content_html"]


async def test_video_url_only_from_known_hosts(
    client: httpx.AsyncClient, make_course: Any, add_module: Any, add_lesson: Any, teacher: Any
) -> None:
    course = await make_course()
    module = await add_module(course["id"])
    lesson = await add_lesson(module["id"])
    refused = [
        "javascript:alert(1)",
        "JAVASCRIPT://youtube.com/%0aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//www.youtube.com/watch?v=1",
        "https://evil.example/watch?v=1",
        "https://youtube.com.evil.example/x",
        "https://www.youtube.com@evil.example/x",
        "https://evil.example/?u=https://youtube.com",
        "https://notyoutube.com/x",
        "file:///etc/passwd",
        "ftp://vimeo.com/1",
        "https://[::1/",
        "",
        " ",
        # Known hosts, but no video a player can show, or markup posing as a video id.
        'https://www.youtube.com/watch?v=x"><script>alert(1)</script>',
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>alert(1)</script>',
        "https://youtu.be/dQw4w9WgXcQ%22%3E%3Cscript%3E",
        "https://www.youtube.com/",
        "https://www.youtube.com/watch",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ&v=aaaaaaaaaaa",
        "https://www.youtube.com/channel/UCuAXFkgsw1L7xaCfnd5JJOw",
        "https://youtu.be/",
        "https://youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "https://user:pass@www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://vimeo.com/channels/staffpicks",
        "https://vimeo.com/76979871/<b>",
        "https://player.vimeo.com/video/76979871?h=<script>",
        "https://player.vimeo.com/video/abc",
    ]
    for url in refused:
        r = await client.post(
            f"/modules/{module['id']}/lessons",
            json={"title": "v", "video_url": url},
            headers=teacher[1],
        )
        assert r.status_code == 422, url
        r = await client.put(
            f"/lessons/{lesson['id']}", json={"video_url": url}, headers=teacher[1]
        )
        assert r.status_code == 422, url
    youtube = "https://www.youtube.com/embed/dQw4w9WgXcQ"
    vimeo = "https://player.vimeo.com/video/76979871"
    for url, stored in (
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", youtube),
        ("http://youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42s#comments", youtube),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", youtube),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", youtube),
        ("https://www.youtube.com/embed/dQw4w9WgXcQ", youtube),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", youtube),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", youtube),
        ("https://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ", youtube),
        ("https://vimeo.com/76979871", vimeo),
        ("https://player.vimeo.com/video/76979871", vimeo),
        ("https://vimeo.com/76979871/4f5e6d7c8b", vimeo + "?h=4f5e6d7c8b"),
        (
            "https://player.vimeo.com/video/76979871?h=4f5e6d7c8b&autoplay=1",
            vimeo + "?h=4f5e6d7c8b",
        ),
    ):
        r = await client.put(
            f"/lessons/{lesson['id']}", json={"video_url": url}, headers=teacher[1]
        )
        assert r.status_code == 200, url
        assert r.json()["video_url"] == stored, url
        assert (await client.get(f"/lessons/{lesson['id']}")).json()["video_url"] == stored
    # Refused, a new link leaves the stored one as it was; the 422 names the field.
    r = await client.put(
        f"/lessons/{lesson['id']}",
        json={"video_url": 'https://youtu.be/x"><script>'},
        headers=teacher[1],
    )
    assert r.status_code == 422
    assert [e["loc"] for e in r.json()["errors"]] == [["body", "video_url"]]
    assert (await client.get(f"/lessons/{lesson['id']}")).json()["video_url"] == stored
    r = await client.post(
        f"/modules/{module['id']}/lessons",
        json={"title": "v", "video_url": "https://youtu.be/dQw4w9WgXcQ"},
        headers=teacher[1],
    )
    assert r.status_code == 201, r.text
    assert r.json()["video_url"] == youtube


async def test_stored_video_links_are_rewritten_as_embeds(
    client: httpx.AsyncClient,
    make_course: Any,
    add_module: Any,
    add_lesson: Any,
    course_service: Any,
) -> None:
    """Migration 004 on links stored before they were normalized."""
    course = await make_course()
    module = await add_module(course["id"])
    youtube = "https://www.youtube.com/embed/dQw4w9WgXcQ"
    vimeo = "https://player.vimeo.com/video/76979871"
    legacy = {
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ": youtube,
        "https://youtube.com/watch?feature=share&v=dQw4w9WgXcQ#t=1": youtube,
        "https://youtu.be/dQw4w9WgXcQ": youtube,
        "http://m.youtube.com/shorts/dQw4w9WgXcQ?si=x": youtube,
        youtube: youtube,
        "https://vimeo.com/76979871": vimeo,
        vimeo: vimeo,
        'https://www.youtube.com/watch?v=x"><script>alert(1)</script>': None,
        'https://www.youtube.com/watch?v=dQw4w9WgXcQ"><script>alert(1)</script>': None,
        "https://youtu.be/abc": None,
        "https://vimeo.com/channels/staffpicks": None,
    }
    lessons = {}
    for url in legacy:
        lesson = await add_lesson(module["id"])
        await course_service.pool.execute(
            "UPDATE lessons SET video_url = $2 WHERE id = $1", uuid.UUID(lesson["id"]), url
        )
        lessons[url] = lesson["id"]
    await course_service.pool.execute((MIGRATIONS / "004_lesson_video_embeds.sql").read_text())
    for url, expected in legacy.items():
        r = await client.get(f"/lessons/{lessons[url]}")
        assert r.json()["video_url"] == expected, url
