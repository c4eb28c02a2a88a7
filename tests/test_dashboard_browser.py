"""End to end: `ganzoo dashboard` on a free loopback port, driven in headless Chromium.

Set GANZOO_SCREENSHOTS=DIR to keep the screenshots (dashboard-runs, -losses, -collapse,
-samples and -config.png), GANZOO_SCREENSHOT_RUNS=DIR to show real runs instead of the test's
two tiny ones and GANZOO_SCREENSHOT_RUN=RUN[,RUN...] to pick the runs shown (several are
overlaid). The README's screenshots are made so:

    GANZOO_SCREENSHOTS=DIR GANZOO_SCREENSHOT_RUNS=RUNS GANZOO_SCREENSHOT_RUN=mlp-gan-60,mlp-gan-10-seed1 \
        python -m pytest -q tests/test_dashboard_browser.py -p no:cacheprovider

for the runs, losses and collapse pictures, and with GANZOO_SCREENSHOT_RUN=mlp-gan-60 alone
for the samples and config ones (one run's page of grids, not two).

Set GANZOO_REQUIRE_BROWSER=1 (as CI does) to fail rather than skip where Chromium or
Playwright is missing.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-quic", "--no-first-run"]


def need_browser():
    missing = [] if Path(CHROMIUM).exists() else [CHROMIUM]
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright")
    if missing:
        if os.environ.get("GANZOO_REQUIRE_BROWSER"):
            pytest.fail(f"missing for the browser test: {missing} (apt-get install chromium; pip install playwright)")
        pytest.skip(f"missing {missing}")


@pytest.fixture
def dashboard(runs_root):
    root = Path(os.environ.get("GANZOO_SCREENSHOT_RUNS", runs_root))
    runs = os.environ.get("GANZOO_SCREENSHOT_RUN", "alpha")
    exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    proc = subprocess.Popen([exe, "dashboard", str(root), "--run", runs.split(",")[0]], stdout=subprocess.PIPE,
                            text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line).group(1)
        from ganzoo_dashboard.serve import wait_ready
        wait_ready(url.split("?")[0])
        yield url.split("?")[0] + f"?run={runs}"  # --run takes one run; the URL takes several
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0  # Ctrl-C stops it cleanly


VIEWPORT = {"width": 1600, "height": 900}  # narrower squeezes the three-column charts


def settle(page):
    """Wait until the script run is over (Streamlit's status widget gone) and charts are laid out."""
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=60_000)
    page.wait_for_timeout(1000)


def shoot(page, path):
    """Screenshot the whole page. Streamlit scrolls inside its own container, so a full-page
    screenshot stops at the viewport: grow the viewport to the content's height instead."""
    settle(page)
    height = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        "[data-testid='stMain'], [data-testid='stAppViewContainer'], section.main")].map(e => e.scrollHeight),
        document.documentElement.scrollHeight)""")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max(height, VIEWPORT["height"]), 4000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size(VIEWPORT)
    from PIL import Image  # a 256-colour palette keeps a page of digit grids under 400 KB

    with Image.open(path) as im:
        small = im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def test_dashboard_in_a_real_browser(dashboard, tmp_path):
    need_browser()
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("GANZOO_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport=VIEWPORT)
        page.goto(dashboard)
        expect(page.get_by_role("tab", name="Runs")).to_be_visible(timeout=60_000)
        runs_panel = page.get_by_role("tabpanel", name="Runs")
        expect(runs_panel.locator("[data-testid='stDataFrame'] canvas").first).to_be_visible(timeout=60_000)
        shoot(page, shots / "dashboard-runs.png")

        for tab, shot in (("Losses", "dashboard-losses.png"), ("Mode collapse", "dashboard-collapse.png")):
            page.get_by_role("tab", name=tab).click()
            panel = page.get_by_role("tabpanel", name=tab)
            expect(panel.locator("[data-testid='stVegaLiteChart']").first).to_be_visible(timeout=60_000)
            expect(panel.locator("canvas, svg.marks").first).to_be_visible(timeout=60_000)  # drawn, not only placed
            shoot(page, shots / shot)

        page.get_by_role("tab", name="Samples").click()
        panel = page.get_by_role("tabpanel", name="Samples")
        image = panel.locator("[data-testid='stImage'] img").first
        expect(image).to_be_visible(timeout=60_000)
        assert page.evaluate("img => img.naturalWidth", image.element_handle()) > 0  # a real PNG was served
        slider = panel.get_by_role("slider").first
        slider.focus()
        slider.press("Home")  # the first grid of the fixed z
        first = panel.get_by_role("slider").first.get_attribute("aria-valuetext")
        expect(panel.get_by_text(re.compile(rf"^step {first}$")).first).to_be_visible(timeout=30_000)
        shoot(page, shots / "dashboard-samples.png")

        page.get_by_role("tab", name="Config").click()
        expect(page.get_by_text("torch").first).to_be_visible(timeout=30_000)
        panel = page.get_by_role("tabpanel", name="Config")
        folded = panel.locator(".node-ellipsis")
        if folded.count():  # open the config, folded by default, and its settings for the picture
            folded.first.click()
            settings = panel.locator("xpath=//span[@class='object-key'][span[text()='settings']]"
                                     "/ancestor::div[contains(@class, 'object-key-val')][1]/div[@class='node-ellipsis']")
            if settings.count():
                settings.first.click()
            page.mouse.move(VIEWPORT["width"] - 10, VIEWPORT["height"] - 10)  # no hover tooltip in the picture
        shoot(page, shots / "dashboard-config.png")
        browser.close()
    assert all((shots / f).stat().st_size > 10_000 for f in ("dashboard-losses.png", "dashboard-samples.png"))
