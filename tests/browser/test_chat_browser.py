"""The chat page in headless Chromium: upload bus.jpg, ask, see the answer and a step image.

Runs the real Reasoner (0.5B controller in the test suite); VISREASON_TEST_FAKE=1 swaps in the
stand-in reasoner for quick UI work.
A screenshot is written to artifacts/chat_browser.png.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.agent.ui.app_server import FAKE, ROOT, running_app

CHROMIUM = "/usr/bin/chromium"
REAL = os.environ.get("VISREASON_TEST_FAKE") != "1"
ANSWER_TIMEOUT_MS = 900_000 if REAL else 120_000
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def _bus() -> Path:
    from agent.ui.examples import SOURCES, _package_dir

    package, rel = SOURCES[0][0], SOURCES[0][1]
    return _package_dir(package) / rel


@pytest.mark.browser
def test_upload_ask_and_see_reasoning(tmp_path):
    assert Path(CHROMIUM).exists(), "needs Debian's chromium: `make browser-deps` (apt-get install chromium)"
    from playwright.sync_api import expect, sync_playwright

    artifacts = ROOT / "artifacts"
    artifacts.mkdir(exist_ok=True)
    with running_app(tmp_path / "home", None if REAL else FAKE, timeout=300) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, timeout=120_000)
            box = page.locator("#vr-input")
            box.locator("input[type=file]").set_input_files(str(_bus()))
            expect(box.locator("img").first).to_be_visible(timeout=60_000)  # upload preview
            box.locator("textarea").fill("How many people are in the image?")
            box.locator("textarea").press("Enter")
            chat = page.locator("#vr-chat")
            expect(chat.get_by_text("Answer:", exact=False).first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
            expect(chat.get_by_text("How many people are in the image?").first).to_be_visible()
            gallery_imgs = page.locator("#vr-gallery img")
            expect(gallery_imgs.first).to_be_visible(timeout=30_000)
            # A step's image is inlined in its collapsible panel (the sanitiser must keep data:
            # images): open step panels until one shows its picture.
            inline = chat.locator("img[src^='data:image/jpeg']")
            titles = chat.get_by_text("Step ", exact=False)
            expect(titles.first).to_be_visible()
            for i in range(titles.count()):
                if inline.count() and inline.first.is_visible():
                    break
                titles.nth(i).click()
                page.wait_for_timeout(300)
            page.screenshot(path=str(artifacts / "chat_browser.png"), full_page=True)
            assert gallery_imgs.count() >= 1
            expect(inline.first).to_be_visible()
            if REAL:  # YOLOX-Nano finds 3 of the 4 people; any count proves the pipeline ran
                expect(chat.get_by_text(re.compile(r"Answer: \d+")).first).to_be_visible()
            else:
                expect(chat.get_by_text("Answer: 2").first).to_be_visible()
            # Reloading the page restores the same conversation (session id kept in BrowserState).
            page.reload()
            expect(page.locator("#vr-chat").get_by_text("Answer:", exact=False).first).to_be_visible(timeout=60_000)
        finally:
            browser.close()
