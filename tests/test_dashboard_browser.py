"""End to end: `ganzoo dashboard` on a free loopback port, driven in headless Chromium.

Set GANZOO_SCREENSHOTS=DIR to keep the screenshots (the README's are made so, with
GANZOO_SCREENSHOT_RUNS pointing at real runs), and GANZOO_REQUIRE_BROWSER=1 (as CI does)
to fail rather than skip where Chromium or Playwright is missing.
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
    run = os.environ.get("GANZOO_SCREENSHOT_RUN", "alpha")
    exe = os.path.join(os.path.dirname(sys.executable), "ganzoo")
    proc = subprocess.Popen([exe, "dashboard", str(root), "--run", run], stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        line = proc.stdout.readline()
        url = re.search(r"(http://127\.0\.0\.1:\d+/\S*)", line).group(1)
        from ganzoo_dashboard.serve import wait_ready
        wait_ready(url.split("?")[0])
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0  # Ctrl-C stops it cleanly


def test_dashboard_in_a_real_browser(dashboard, tmp_path):
    need_browser()
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("GANZOO_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.goto(dashboard)
        expect(page.get_by_role("tab", name="Runs")).to_be_visible(timeout=60_000)
        page.screenshot(path=str(shots / "dashboard-runs.png"), full_page=True)

        for tab, shot in (("Losses", "dashboard-losses.png"), ("Mode collapse", "dashboard-collapse.png")):
            page.get_by_role("tab", name=tab).click()
            panel = page.get_by_role("tabpanel", name=tab)
            expect(panel.locator("[data-testid='stVegaLiteChart']").first).to_be_visible(timeout=60_000)
            expect(panel.locator("canvas, svg.marks").first).to_be_visible(timeout=60_000)  # drawn, not only placed
            page.wait_for_timeout(1000)
            page.screenshot(path=str(shots / shot), full_page=True)

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
        page.wait_for_timeout(500)
        page.screenshot(path=str(shots / "dashboard-samples.png"), full_page=True)

        page.get_by_role("tab", name="Config").click()
        expect(page.get_by_text("torch").first).to_be_visible(timeout=30_000)
        page.screenshot(path=str(shots / "dashboard-config.png"), full_page=True)
        browser.close()
    assert all((shots / f).stat().st_size > 10_000 for f in ("dashboard-losses.png", "dashboard-samples.png"))
