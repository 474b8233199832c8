"""Headless Chromium (Debian's `chromium`) driven by Playwright, against Django's live server.

Without Chromium these tests are skipped, unless ZHIFA_REQUIRE_BROWSER=1 (CI), where that is an
error. Screenshots go to test-results/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls in fixtures are still
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("ZHIFA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage"]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM:
        if os.environ.get("ZHIFA_REQUIRE_BROWSER") == "1":
            pytest.fail("Chromium 未安装（apt-get install chromium），浏览器测试无法运行")
        pytest.skip("Chromium 未安装，跳过浏览器测试（apt-get install chromium）")
    from playwright.sync_api import expect, sync_playwright

    # expect() waits for the page to catch up; a loaded CI machine needs more than the 5 s default
    expect.set_options(timeout=15_000)

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    yield pg
    ctx.close()


def shot(page, name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
