"""A student's whole journey in real headless Chromium (Debian's), at phone and desktop width,
against the platform from `edu up --detach` and the web app beside it: register, verify the
email from the mail sink, find a course by search, enroll, complete every lesson by keyboard
(progress updating in place, focus following it), see 100%, leave a review.

Needs `apt-get install chromium` (CI installs it); on a failure a screenshot is kept in the
platform's temporary folder and its path printed."""

from __future__ import annotations

import re
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from edu_devstack.mailsink import read_mails
from edu_devstack.testing import stack_on_free_ports
from playwright.async_api import Page, async_playwright, expect

pytestmark = [pytest.mark.stack, pytest.mark.browser, pytest.mark.timeout(420)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def platform() -> Iterator[dict[str, Any]]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is not installed: the browser tests drive Debian's Chromium. "
            "Install it with `apt-get install chromium` (as root), or leave these tests out "
            "with `-m 'not browser'`."
        )
    with stack_on_free_ports("edu-web-browser-") as stack:
        web = stack.url("web")
        # `edu up` starts the web app with the services and points identity's mail at it.
        up = stack.edu("up", "--detach")
        assert up.returncode == 0, up.stdout + up.stderr
        assert f"Open {web}" in up.stdout, up.stdout
        yield {"web": web, "mail": stack.data / "mail", "home": stack.home}


def _mailed_link(directory: Path, recipient: str, path: str, deadline: float) -> str:
    while True:
        for mail in read_mails(directory):
            if recipient in mail.data.get("to", []):
                found = [link for link in mail.links if f"/{path}?" in link]
                if found:
                    return found[0]
        assert time.monotonic() < deadline, f"no {path} mail for {recipient}"
        time.sleep(0.2)


async def _press(page: Page, selector: str) -> None:
    """Keyboard only: focus the control and press Enter, as a keyboard user would."""
    await page.focus(selector)
    await page.keyboard.press("Enter")


@pytest.mark.parametrize("width", [390, 1280], ids=["phone", "desktop"])
async def test_a_student_finds_a_course_and_completes_it_by_keyboard(
    platform: dict[str, Any], width: int
) -> None:
    web = platform["web"]
    email = f"student-{uuid.uuid4().hex[:8]}@example.com"
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": width, "height": 844})
        page = await context.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on(
            "console",
            lambda msg: (
                problems.append(msg.text)
                if msg.type == "error" and "Content Security Policy" in msg.text
                else None
            ),
        )
        try:
            await page.goto(web + "/")
            await page.click("text=Sign up")
            await page.fill("#f-name", "Browser Student")
            await page.fill("#f-email", email)
            await page.fill("#f-password", "correct-horse-1")
            await _press(page, "form[action='/register'] button[type=submit]")
            await page.wait_for_selector("text=Please confirm your email address")

            link = _mailed_link(platform["mail"], email, "verify-email", time.monotonic() + 30)
            assert link.startswith(web)
            await page.goto(link)
            await page.wait_for_selector("text=Your email is confirmed")
            assert await page.locator("text=Please confirm your email address").count() == 0

            await page.click("text=Find a course")
            await page.fill("#q", "python")
            await page.select_option("select[name=price]", "free")
            await page.keyboard.press("Enter")
            await page.wait_for_url(re.compile(r"q=python"))
            await page.wait_for_selector(".chip")
            await page.click(".card h3 a")
            await page.wait_for_selector("text=Enroll for free")
            await _press(page, "text=Enroll for free")
            await page.wait_for_selector("text=You are enrolled")
            await page.click("text=Continue learning")
            await page.wait_for_selector("#lesson-progress")

            for _ in range(40):
                if await page.locator("text=Congratulations! You completed the course.").count():
                    break
                await _press(page, "#lesson-progress button[type=submit]")
                await page.wait_for_selector("#lesson-progress >> text=Lesson completed")
                # Focus follows the in-place update (moved once htmx has settled the swap).
                await expect(page.locator("#lesson-progress")).to_be_focused()
                following = page.locator("#lesson-progress a.button")
                if await following.count():
                    await _press(page, "#lesson-progress a.button")
                    await page.wait_for_selector("#lesson-progress button[type=submit]")
            await page.wait_for_selector("text=Congratulations! You completed the course.")
            assert await page.evaluate("document.documentElement.scrollWidth") <= width

            await page.click("text=Tell others what you thought of it")
            await page.check("input[name=rating][value='5']")
            await page.fill("#f-comment", "Clear, short lessons.")
            await _press(page, "form.review-form button[type=submit]")
            await page.wait_for_selector("text=Thank you for your review.")
            await page.wait_for_selector(".review.own >> text=Clear, short lessons.")
            assert problems == []
        except BaseException:
            shot = platform["home"].parent / f"edu-web-failure-{uuid.uuid4().hex[:6]}.png"
            await page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failure: {shot}", file=sys.stderr)
            raise
        finally:
            await browser.close()
