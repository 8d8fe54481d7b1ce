"""Takes the README's screenshots of the web app (docs/screenshots/) from a running platform
with its demo data, at phone (390 px) and desktop (1280 px) width, in Debian's Chromium:

    ./edu up --detach && .venv/bin/python tools/screenshots.py [http://127.0.0.1:3001]

The demo student enrolls in a free Python course on the way if not enrolled yet."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
PASSWORD = "password123"  # noqa: S105 - the demo accounts' documented password


async def _log_in(page: Page, web: str, email: str) -> None:
    await page.goto(f"{web}/login")
    await page.fill("#f-email", email)
    await page.fill("#f-password", PASSWORD)
    await page.click("form[action^='/login'] button[type=submit]")
    await page.wait_for_selector("header form[action='/logout']")


async def _shoot(page: Page, name: str, size: str, *, full_page: bool = False) -> None:
    await page.screenshot(path=str(OUT / f"{name}-{size}.png"), full_page=full_page)


async def _student(browser: Browser, web: str, size: str, width: int) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    await page.goto(f"{web}/?q=python")
    await page.wait_for_selector(".card")
    await _shoot(page, "catalog", size)
    await _log_in(page, web, "student@eduplatform.com")
    await page.goto(f"{web}/?q=python&price=free")
    await page.click(".card h3 a")
    enroll = page.locator("text=Enroll for free")
    if await enroll.count():
        await enroll.click()
        await page.wait_for_selector("text=Continue learning")
    await _shoot(page, "course", size)
    await page.click("text=Continue learning")
    await page.wait_for_url(re.compile(r"/lessons/"))
    await _shoot(page, "lesson", size)
    await page.goto(f"{web}/learning")
    await _shoot(page, "learning", size)
    await context.close()


async def _teacher(browser: Browser, web: str, size: str, width: int) -> None:
    context = await browser.new_context(viewport={"width": width, "height": 900})
    page = await context.new_page()
    await _log_in(page, web, "teacher@eduplatform.com")
    await page.goto(f"{web}/teach")
    await page.click("li.card:has(.tag:text-is('Published')) h2 a")
    await page.wait_for_selector("#outline")
    await _shoot(page, "editor", size, full_page=True)
    await context.close()


async def main(web: str) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path="/usr/bin/chromium")
        for size, width in WIDTHS.items():
            await _student(browser, web, size, width)
            await _teacher(browser, web, size, width)
        await browser.close()
    print(f"screenshots in {OUT}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:3001"))
