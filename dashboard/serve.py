"""Starting the dashboard's Streamlit server: one place for its command line."""

from __future__ import annotations

import sys
import time
import urllib.request
from importlib.resources import files


def streamlit_command(host: str, port: int) -> list[str]:
    # Streamlit listens on every interface unless told otherwise, and may prompt on a first
    # run unless headless: both are pinned here.
    app = files("ganzoo_dashboard") / "app.py"
    return [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", host, "--server.port", str(port),
            "--server.headless", "true", "--browser.gatherUsageStats", "false",
            "--client.toolbarMode", "minimal"]  # no "Deploy" button: runs are local


def wait_ready(base_url: str, timeout: float = 60.0) -> None:
    """Poll Streamlit's health endpoint until it answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base_url.rstrip("/") + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"the dashboard at {base_url} did not come up within {timeout:.0f} s")
        time.sleep(0.3)
