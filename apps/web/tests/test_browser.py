"""The platform's whole learning loop in real headless Chromium (Debian's), against the
platform from `edu up --detach` and the web app beside it, one stack for the module:

an admin verifies a teacher who signed up in the web app; the teacher creates a paid draft
course with a module and two lessons, reorders the lessons (by drag and drop with the mouse,
by the up/down buttons by keyboard) and publishes it; a student registers, verifies the
email from the mail sink, finds the course by search, enrolls in a free course, buys the
paid one (a confirmation step with the price; pressing twice pays once), completes both
lessons, sees 100% and the completion notification, reviews it, and the rating shows on the
catalog card. At 1280 px with the mouse and at 390 px by keyboard alone; axe-core checks
every page on the way at both widths (no serious or critical violation).

Needs `apt-get install chromium` (CI installs it). A failure keeps a screenshot in the
folder printed at the start (`EDU_WEB_SCREENSHOTS` chooses it)."""

from __future__ import annotations

import os
import random
import re
import string
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.async_playwright import Axe
from edu_devstack.mailsink import read_mails
from edu_devstack.testing import stack_on_free_ports
from playwright.async_api import Page, async_playwright, expect

pytestmark = [pytest.mark.stack, pytest.mark.browser, pytest.mark.timeout(600)]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(
    os.environ.get("EDU_WEB_SCREENSHOTS") or Path(tempfile.gettempdir()) / "edu-web-screenshots"
)
ADMIN = ("admin@eduplatform.com", "password123")
PASSWORD = "correct-horse-1"
# Generous: two busy cores run the whole platform, the browser and the test.
WAIT_MS = 30_000


@dataclass(frozen=True)
class Platform:
    web: str
    identity: str
    payment: str
    mail: Path


@pytest.fixture(scope="module")
def platform() -> Iterator[Platform]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Chromium is not installed: the browser tests drive Debian's Chromium. "
            "Install it with `apt-get install chromium` (as root), or leave these tests out "
            "with `-m 'not browser'`."
        )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    print(f"screenshots of failures go to {SCREENSHOTS}", file=sys.stderr)
    with stack_on_free_ports("edu-web-browser-") as stack:
        web = stack.url("web")
        # `edu up` starts the web app with the services and points identity's mail at it.
        up = stack.edu("up", "--detach")
        assert up.returncode == 0, up.stdout + up.stderr
        assert f"Open {web}" in up.stdout, up.stdout
        yield Platform(web, stack.url("identity"), stack.url("payment"), stack.data / "mail")


def _word() -> str:
    """A made-up word that finds only this run's course."""
    return "".join(random.choices(string.ascii_lowercase, k=10))


def _mailed_link(directory: Path, recipient: str, path: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        for mail in read_mails(directory):
            if recipient in mail.data.get("to", []):
                found = [link for link in mail.links if f"/{path}?" in link]
                if found:
                    return found[-1]
        assert time.monotonic() < deadline, f"no {path} mail for {recipient}"
        time.sleep(0.2)


@dataclass
class Visitor:
    """One person at the browser: with the mouse, or with the keyboard alone (focus a
    control, then Enter or Space; type into fields). Checks every new page with axe-core."""

    page: Page
    web: str
    width: int
    keyboard: bool
    axe: Axe = field(default_factory=Axe)
    violations: list[str] = field(default_factory=list)
    audited: set[str] = field(default_factory=set)

    async def press(self, selector: str) -> None:
        if self.keyboard:
            await self.page.focus(selector)
            await self.page.keyboard.press("Enter")
        else:
            await self.page.click(selector)

    async def type(self, selector: str, value: str) -> None:
        if self.keyboard:
            await self.page.focus(selector)
            await self.page.keyboard.press("ControlOrMeta+a")
            await self.page.keyboard.type(value)
        else:
            await self.page.fill(selector, value)

    async def tick(self, selector: str) -> None:
        if self.keyboard:
            await self.page.focus(selector)
            await self.page.keyboard.press("Space")
        else:
            await self.page.check(selector)
        await expect(self.page.locator(selector)).to_be_checked()

    async def see(self, text: str) -> None:
        await self.page.get_by_text(text).first.wait_for(timeout=WAIT_MS)

    async def audit(self, name: str) -> None:
        """axe-core on the page as it is now: serious and critical violations are kept for
        the end of the journey, so one run reports every page's."""
        if name in self.audited:
            return
        self.audited.add(name)
        await self.page.wait_for_load_state("load")
        results = await self.axe.run(self.page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                targets = [node["target"] for node in violation["nodes"][:3]]
                self.violations.append(
                    f"{name} at {self.width} px: {violation['id']} ({violation['impact']}):"
                    f" {violation['help']} {targets}"
                )
        assert await self.page.evaluate("document.documentElement.scrollWidth") <= self.width, (
            f"{name} scrolls sideways at {self.width} px"
        )

    async def sign_up(self, name: str, email: str, *, teacher: bool = False) -> None:
        await self.press("header >> text=Sign up")
        await self.page.wait_for_url(re.compile(r"/register"))
        await self.audit("register")
        await self.type("#f-name", name)
        await self.type("#f-email", email)
        await self.type("#f-password", PASSWORD)
        if teacher:
            await self.tick("input[name=role][value=teacher]")
        await self.press("form[action='/register'] button[type=submit]")
        await self.see("Please confirm your email address")

    async def log_in(self, email: str, password: str = PASSWORD) -> None:
        await self.press("header >> text=Log in")
        await self.page.wait_for_url(re.compile(r"/login"))
        await self.audit("login")
        await self.type("#f-email", email)
        await self.type("#f-password", password)
        await self.press("form[action^='/login'] button[type=submit]")
        await self.page.locator("header form[action='/logout']").wait_for(timeout=WAIT_MS)

    async def log_out(self) -> None:
        await self.press("header form[action='/logout'] button")
        await self.page.locator("header >> text=Log in").wait_for(timeout=WAIT_MS)

    async def search(self, query: str) -> None:
        await self.press("header >> text=Catalog")
        await self.type("#q", query)
        await self.page.keyboard.press("Enter")
        await self.page.wait_for_url(re.compile(r"q="))


# Wider than the page at 390 px: the lesson's code block scrolls sideways, and axe-core then
# checks that a keyboard can reach it.
_CODE_LINE = "soil = {'nitrogen': 'high', 'phosphorus': 'medium', 'potassium': 'medium', 'ph': 6.5}"


async def _lesson_order(page: Page) -> list[str]:
    return await page.locator("ol.lessons > li > a").all_inner_texts()


async def _teacher_builds_a_course(me: Visitor, email: str, title: str) -> str:
    """Signs in as the (verified) teacher, builds the course, publishes it; returns its id."""
    page = me.page
    await me.log_in(email)
    await me.press("header >> text=Teaching")
    await me.see("New course")
    await me.audit("teacher courses")
    await me.press("text=New course")
    await me.type("#f-title", title)
    await me.type("#f-description", "Soil, seeds and patience, in two short lessons.")
    await me.type("#f-price", "19.99")
    await me.type("#f-duration_minutes", "30")
    await me.press("form[data-warn-unsaved] button[type=submit]")
    await me.see("Course created as a draft")
    course_id = page.url.split("/teach/courses/")[1].split("?")[0].split("#")[0]
    await me.audit("course editor (new draft)")

    await me.type("#f-module", "Basics")
    await me.press("text=Add module")
    for lesson, body in (
        ("First steps", f"# Soil\n\n```\n{_CODE_LINE}\n```\n\nStart with **good soil**."),
        ("Second steps", f"# Seeds\n\n```\n{_CODE_LINE}\n```\n\nSow them *shallow*."),
    ):
        await me.type("input[id^='l-']", lesson)
        await me.press("text=Add lesson")
        await page.wait_for_url(re.compile(r"/teach/lessons/"))
        await me.audit("lesson editor")
        await me.type("#f-content", body)
        # The live preview, rendered by the course service's sanitizer.
        await expect(page.locator("#preview")).to_contain_text(
            body.split("\n")[-1].split("*")[0].strip()
        )
        await me.type("#f-duration_minutes", "5")
        await me.press("button[name=action][value=save]")
        await me.see("Saved.")
        await me.press("nav.breadcrumbs a[href^='/teach/courses/']")
        await page.wait_for_url(re.compile(r"/teach/courses/"))
    assert await _lesson_order(page) == ["First steps", "Second steps"]
    await me.audit("course editor")

    # Reorder: with the mouse by drag and drop, by keyboard with the up/down buttons.
    if me.keyboard:
        await me.press("button[aria-label='Move up: Second steps']")
    else:
        await page.drag_and_drop(
            "li:has(> a:text-is('Second steps'))", "li:has(> a:text-is('First steps'))"
        )
    await expect(page.locator("ol.lessons > li > a").first).to_have_text("Second steps")
    await page.reload()
    assert await _lesson_order(page) == ["Second steps", "First steps"]

    await me.press("form[action$='/publish'] button")
    await me.see("Published: the course is in the catalog now.")
    await me.log_out()
    return course_id


async def _paid_once(platform: Platform, email: str, course_id: str) -> list[Any]:
    async with httpx.AsyncClient(timeout=30) as client:
        r = await client.post(
            f"{platform.identity}/login", json={"email": email, "password": PASSWORD}
        )
        assert r.status_code == 200, r.text
        token = r.json()["access_token"]
        r = await client.get(
            f"{platform.payment}/payments/me", headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 200, r.text
        return [p for p in r.json()["items"] if p["course_id"] == course_id]


async def _journey(platform: Platform, me: Visitor) -> None:
    page = me.page
    tag = uuid.uuid4().hex[:8]
    word = _word()
    title = f"{word.capitalize()} gardening"
    teacher = f"teacher-{tag}@example.com"
    student = f"student-{tag}@example.com"

    # A teacher signs up in the web app; an admin verifies them.
    await page.goto(platform.web + "/")
    await me.audit("catalog")
    await me.sign_up("Tess Teacher", teacher, teacher=True)
    await me.log_out()
    await me.log_in(*ADMIN)
    await me.press("header >> text=Admin")
    await me.see("Teachers to verify")
    await me.audit("admin: teachers to verify")
    await me.press(f"li:has-text('{teacher}') button[type=submit]")
    await me.see("Teacher verified.")
    await me.log_out()

    course_id = await _teacher_builds_a_course(me, teacher, title)

    # Anyone finds it; the result count is the query's total.
    await me.search(word)
    await me.see("1 course found")
    await me.audit("catalog with results")
    await me.press(f".card h3 >> text={title}")
    await me.see("Log in to enroll")
    await me.audit("course (anonymous)")
    await me.search(_word())
    await me.see("No courses match your search.")
    await me.audit("catalog (empty result)")

    # A student signs up and confirms the email from the mail sink.
    await me.sign_up("Sam Student", student)
    link = _mailed_link(platform.mail, student, "verify-email")
    assert link.startswith(platform.web)
    await page.goto(link)
    await me.see("Your email is confirmed")
    assert await page.get_by_text("Please confirm your email address").count() == 0

    # Enrolls in a free course.
    await me.search("python")
    await me.press(".card:has(.price.free) h3 a")
    await me.press("text=Enroll for free")
    await me.see("You are enrolled")
    await me.audit("course (enrolled)")

    # Buys the paid one: a confirmation with the price; pressing twice pays once.
    await me.search(word)
    await me.press(f".card h3 >> text={title}")
    await me.press("text=Buy this course")
    await me.see("Confirm your purchase")
    await expect(page.locator(".summary .price")).to_have_text("$19.99")
    await me.audit("buy confirmation")
    pay = "form[action$='/buy'] button[type=submit]"
    if me.keyboard:
        await page.focus(pay)
        await page.keyboard.press("Enter")
        await page.keyboard.press("Enter")
    else:
        await page.dblclick(pay)
    await me.see("Thank you for your purchase. You are enrolled.")

    # Completes both lessons, progress updating in place and focus following it.
    await me.press("text=Continue learning")
    await page.wait_for_selector("#lesson-progress")
    await me.audit("lesson")
    for _ in range(4):
        if await page.get_by_text("Congratulations! You completed the course.").count():
            break
        await me.press("#lesson-progress button[type=submit]")
        await page.wait_for_selector("#lesson-progress >> text=Lesson completed")
        await expect(page.locator("#lesson-progress")).to_be_focused()
        following = page.locator("#lesson-progress a.button")
        if await following.count():
            await me.press("#lesson-progress a.button")
            await page.wait_for_selector("#lesson-progress button[type=submit]")
    await me.see("Congratulations! You completed the course.")
    await me.press("header >> text=My learning")
    await expect(page.locator(f"li:has-text('{title}')")).to_contain_text("100%")
    await me.audit("my learning")

    # The completion notification arrives by event.
    await me.press("header >> text=Notifications")
    # The link's navigation first: a reload while it is under way has no page to reload.
    await page.wait_for_url("**/notifications")
    deadline = time.monotonic() + 60
    while not await page.get_by_text(f'you completed "{title}"').count():
        assert time.monotonic() < deadline, "no completion notification"
        await page.reload()
    await me.audit("notifications")

    # Reviews it; the rating shows on the catalog card.
    await me.search(word)
    await me.press(f".card h3 >> text={title}")
    await me.tick("input[name=rating][value='4']")
    await me.type("#f-comment", "Clear, short lessons.")
    await me.press("form.review-form button[type=submit]")
    await me.see("Thank you for your review.")
    await page.wait_for_selector(".review.own >> text=Clear, short lessons.")
    await me.search(word)
    await expect(page.locator(".card .rating")).to_contain_text("(1 review)")
    await expect(page.locator(".card .rating")).to_contain_text("Rated 4")

    # Pages a student may not open, or that do not exist, say so with a way back.
    forbidden = await page.goto(platform.web + "/admin/teachers")
    assert forbidden is not None
    assert forbidden.status == 403
    await me.audit("403")
    missing = await page.goto(f"{platform.web}/courses/{uuid.uuid4()}")
    assert missing is not None
    assert missing.status == 404
    await me.audit("404")

    # Forgot and reset password.
    await me.log_out()
    await me.press("header >> text=Log in")
    await me.press("text=Forgot your password?")
    # The login page has an email field too: wait for the link's page before checking it.
    await page.wait_for_url("**/forgot-password")
    await me.audit("forgot password")
    await me.type("#f-email", student)
    await me.press("form[action='/forgot-password'] button[type=submit]")
    link = _mailed_link(platform.mail, student, "reset-password")
    await page.goto(link)
    await page.wait_for_selector("#f-new_password")
    await me.audit("reset password")

    assert len(await _paid_once(platform, student, course_id)) == 1


@pytest.mark.parametrize(
    ("width", "keyboard"), [(1280, False), (390, True)], ids=["desktop-mouse", "phone-keyboard"]
)
async def test_the_learning_loop_from_teacher_sign_up_to_review(
    platform: Platform, width: int, keyboard: bool
) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": width, "height": 844})
        context.set_default_timeout(WAIT_MS)
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
        me = Visitor(page, platform.web, width, keyboard)
        try:
            await _journey(platform, me)
            assert me.violations == [], "\n".join(me.violations)
            assert problems == []
        except BaseException:
            shot = SCREENSHOTS / f"learning-loop-{width}-{uuid.uuid4().hex[:6]}.png"
            await page.screenshot(path=str(shot), full_page=True)
            print(f"screenshot of the failure: {shot} ({page.url})", file=sys.stderr)
            raise
        finally:
            await browser.close()
