"""The chat page in headless Chromium: upload bus.jpg, ask, watch the progress, see the answer and a step image.

Checks what issue 14 asks of the page: a status line with the elapsed time while the program is
written, the program before the steps, the final state replacing "working", Cancel enabled only
while a question runs, step pictures at full resolution that open large, no image data in
aria-labels.

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
    env = {"VISREASON_MEMORY_ENABLED": "false"} if REAL else None  # the LLM writes the program: its progress shows
    with running_app(tmp_path / "home", None if REAL else FAKE, timeout=300, env=env) as url, \
            sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, timeout=120_000)
            cancel = page.locator("#vr-cancel")
            expect(cancel).to_be_disabled(timeout=60_000)  # nothing runs yet
            box = page.locator("#vr-input")
            box.locator("input[type=file]").set_input_files(str(_bus()))
            expect(box.locator("img").first).to_be_visible(timeout=60_000)  # upload preview
            box.locator("textarea").fill("How many people are in the image?")
            box.locator("textarea").press("Enter")
            chat = page.locator("#vr-chat")
            if REAL:  # while the LLM writes: a status line with the elapsed time, and Cancel enabled
                expect(chat.get_by_text(re.compile(r"Working · writing a program · \d+ s")).first).to_be_visible(
                    timeout=300_000)
                expect(cancel).to_be_enabled()
            expect(chat.get_by_text("Answer:", exact=False).first).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
            expect(chat.get_by_text("How many people are in the image?").first).to_be_visible()
            # The final state replaces "working"; Cancel is off again.
            expect(chat.get_by_text(re.compile(r"^Working"))).to_have_count(0, timeout=30_000)
            expect(chat.get_by_text("Done", exact=True).first).to_be_visible()
            expect(cancel).to_be_disabled(timeout=30_000)
            # The program appears before the steps.
            text = chat.inner_text()
            assert "Program" in text and "Step 1" in text and text.index("Program") < text.index("Step 1"), text[:2000]
            gallery_imgs = page.locator("#vr-gallery img")
            expect(gallery_imgs.first).to_be_visible(timeout=30_000)
            # A step's picture sits in its collapsible panel at full resolution, shown small, opening large.
            inline = chat.locator("img.vr-step-img")
            titles = chat.get_by_text("Step ", exact=False)
            expect(titles.first).to_be_visible()
            for i in range(titles.count()):
                if inline.count() and inline.first.is_visible():
                    break
                titles.nth(i).click()
                page.wait_for_timeout(300)
            expect(inline.first).to_be_visible()
            natural = inline.first.evaluate("img => img.naturalWidth")
            shown = inline.first.bounding_box()["width"]
            assert natural > shown, (natural, shown)  # the full picture, displayed small
            link = chat.locator("a.vr-step-link").first
            assert "/gradio_api/file=" in (link.get_attribute("href") or "")
            labels = page.eval_on_selector_all("[aria-label]", "els => els.map(e => e.getAttribute('aria-label'))")
            assert not [x for x in labels if "base64" in x], "aria-labels carry no image data"
            # The gallery opens a step picture large.
            thumb_w = gallery_imgs.first.bounding_box()["width"]
            gallery_imgs.first.click()
            page.wait_for_timeout(500)
            large = page.locator("#vr-gallery img").first
            assert large.bounding_box()["width"] > thumb_w
            page.screenshot(path=str(artifacts / "chat_browser.png"), full_page=True)
            page.keyboard.press("Escape")
            if REAL:
                expect(chat.get_by_text(re.compile(r"Answer: \d+")).first).to_be_visible()
            else:
                expect(chat.get_by_text("Answer: 2").first).to_be_visible()
            # Reloading the page restores the same conversation (session id kept in BrowserState).
            page.reload()
            expect(page.locator("#vr-chat").get_by_text("Answer:", exact=False).first).to_be_visible(timeout=60_000)
        finally:
            browser.close()
