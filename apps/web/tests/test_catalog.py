"""Catalog (home): search, filters and sorts in the URL, chips, count, show more, outages."""

from __future__ import annotations

import uuid

import httpx
import respx
from fakes import COURSE, course_json


def categories(api: respx.MockRouter, cat_id: str) -> None:
    api.get(f"{COURSE}/categories").respond(
        200, json=[{"id": cat_id, "slug": "programming", "name": "Programming", "course_count": 7}]
    )


async def test_filters_from_the_url_reach_the_api_and_show_as_removable_chips(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    cat = str(uuid.uuid4())
    categories(api, cat)
    search = api.get(f"{COURSE}/courses").respond(
        200, json={"items": [course_json(title="Pandas in practice")], "next_cursor": None}
    )
    r = await client.get(f"/?q=pandas&category={cat}&level=advanced&price=free&sort=rating")
    assert r.status_code == 200
    sent = search.calls.last.request.url.params
    assert sent["q"] == "pandas"
    assert sent["category_id"] == cat
    assert sent["level"] == "advanced"
    assert sent["is_free"] == "true"
    assert sent["sort"] == "rating"
    html = r.text
    assert "Pandas in practice" in html
    assert "1 course found" in html
    # Each chip links to the same search without that one filter.
    assert f'href="/?category={cat}&amp;level=advanced&amp;price=free&amp;sort=rating"' in html
    assert "Search: pandas" in html
    assert ">Programming" in html
    assert 'value="pandas"' in html
    assert '<option value="advanced" selected>' in html


async def test_unknown_filter_values_are_dropped_not_sent(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").respond(200, json=[])
    search = api.get(f"{COURSE}/courses").respond(200, json={"items": [], "next_cursor": None})
    r = await client.get("/?level=wizard&sort=random&category=not-a-uuid&price=maybe")
    assert r.status_code == 200
    sent = search.calls.last.request.url.params
    assert set(sent) == {"limit"}


async def test_cards_show_teacher_level_length_price_and_rating(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").respond(200, json=[])
    paid = course_json(title="Data science", price_cents=4999, avg_rating=4.0, review_count=12)
    new = course_json(title="Brand new", avg_rating=None, review_count=0)
    api.get(f"{COURSE}/courses").respond(200, json={"items": [paid, new], "next_cursor": None})
    html = (await client.get("/")).text
    assert "Tess Teacher" in html
    assert "Beginner" in html
    assert "1 h 35 min" in html
    assert "$49.99" in html
    assert "★★★★☆" in html
    assert "12 reviews" in html
    assert "No reviews yet" in html
    assert "Free" in html


async def test_show_more_links_to_the_next_page_and_htmx_gets_only_the_new_cards(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").respond(200, json=[])
    search = api.get(f"{COURSE}/courses")
    search.side_effect = [
        httpx.Response(200, json={"items": [course_json(title="First")], "next_cursor": "c1"}),
        httpx.Response(200, json={"items": [course_json(title="Second")], "next_cursor": None}),
    ]
    page = await client.get("/?q=py")
    assert 'href="/?q=py&amp;cursor=c1"' in page.text
    assert "Showing the first 1 courses" in page.text
    more = await client.get("/?q=py&cursor=c1", headers={"HX-Request": "true"})
    assert search.calls.last.request.url.params["cursor"] == "c1"
    assert "<html" not in more.text
    assert 'hx-swap-oob="beforeend:#cards"' in more.text
    assert "Second" in more.text
    assert 'id="more"' not in more.text  # the last page


async def test_the_result_count_is_the_whole_query_s_total(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").respond(200, json=[])
    items = [course_json(title=f"Course {i}") for i in range(12)]
    api.get(f"{COURSE}/courses").respond(
        200, json={"items": items, "next_cursor": "c1", "total": 143}
    )
    r = await client.get("/?q=py")
    assert "143 courses found" in r.text
    assert "Showing the first" not in r.text
    r = await client.get("/?q=py", headers={"Accept-Language": "ru"})
    assert "Найдено 143 курса" in r.text


async def test_show_more_without_javascript_is_a_full_page(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").respond(200, json=[])
    api.get(f"{COURSE}/courses").respond(
        200, json={"items": [course_json(title="Second")], "next_cursor": None}
    )
    r = await client.get("/?cursor=c1")
    assert "<html" in r.text
    assert "Second" in r.text


async def test_a_stale_cursor_starts_the_list_again(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").respond(200, json=[])
    search = api.get(f"{COURSE}/courses")
    search.side_effect = [
        httpx.Response(400, json={"status": 400, "code": "invalid_cursor"}),
        httpx.Response(200, json={"items": [course_json(title="Again")], "next_cursor": None}),
    ]
    r = await client.get("/?cursor=tampered")
    assert r.status_code == 200
    assert "Again" in r.text


async def test_an_empty_result_says_so_and_offers_to_clear_filters(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").respond(200, json=[])
    api.get(f"{COURSE}/courses").respond(200, json={"items": [], "next_cursor": None})
    r = await client.get("/?q=zzzz")
    assert "No courses match your search." in r.text
    assert "Clear filters" in r.text


async def test_catalog_down_the_page_still_renders_with_a_message_and_retry(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").mock(side_effect=httpx.ConnectError("refused"))
    api.get(f"{COURSE}/courses").mock(side_effect=httpx.ConnectError("refused"))
    r = await client.get("/?q=go")
    assert r.status_code == 200
    assert "The catalog is not available right now." in r.text
    assert 'href="/?q=go">Try again' in r.text
    assert 'role="search"' in r.text


async def test_catalog_timing_out_is_reported_in_words(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").mock(side_effect=httpx.ReadTimeout("slow"))
    api.get(f"{COURSE}/courses").mock(side_effect=httpx.ReadTimeout("slow"))
    r = await client.get("/")
    assert r.status_code == 200
    assert "The catalog is not available right now." in r.text


async def test_categories_down_the_courses_still_show(
    client: httpx.AsyncClient, api: respx.MockRouter
) -> None:
    api.get(f"{COURSE}/categories").respond(503)
    api.get(f"{COURSE}/courses").respond(
        200, json={"items": [course_json(title="Still here")], "next_cursor": None}
    )
    r = await client.get("/")
    assert "Still here" in r.text
    assert 'name="category"' not in r.text


async def test_russian_catalog(client: httpx.AsyncClient, api: respx.MockRouter) -> None:
    api.get(f"{COURSE}/categories").respond(200, json=[])
    api.get(f"{COURSE}/courses").respond(
        200, json={"items": [course_json(review_count=5)], "next_cursor": None}
    )
    r = await client.get("/", headers={"Accept-Language": "ru"})
    assert "Найти курс" in r.text
    assert "5 отзывов" in r.text
    assert "Бесплатно" in r.text
