"""Chunked cookies in a real browser: headless Chromium against waitress on loopback.

Chromium is driven through chromedriver's W3C WebDriver HTTP API with the standard
library, so nothing is downloaded. Without ``chromium`` and ``chromedriver`` the test
skips; ``make test`` installs them where it can (apt-get).
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._chunk_app import big_text, state
from ._servers import BIN, Server, clean_env

pytestmark = pytest.mark.server

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
INSTALL = "apt-get update && apt-get install -y chromium chromium-driver"


class WebDriver:
    """The few WebDriver commands the test needs, over plain HTTP."""

    def __init__(self, url: str, profile: Path) -> None:
        self.url = url
        arguments = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
        ]
        options = {"binary": CHROMIUM, "args": arguments}
        capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
        reply = self._call("POST", "/session", {"capabilities": capabilities})
        self.session = f"/session/{reply['sessionId']}"

    def _call(self, method: str, path: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)["value"]

    def get(self, url: str) -> str:
        """Load ``url`` and return the text of its ``#state`` paragraph."""
        self._call("POST", f"{self.session}/url", {"url": url})
        return self.text("state")

    def text(self, element_id: str) -> str:
        """The text of the loaded page's element ``element_id``."""
        script = f"return document.getElementById('{element_id}').textContent"
        return str(
            self._call("POST", f"{self.session}/execute/sync", {"script": script, "args": []})
        )

    def cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self._call("GET", f"{self.session}/cookie")}

    def quit(self) -> None:
        self._call("DELETE", self.session)


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[WebDriver]:
    if CHROMIUM is None or CHROMEDRIVER is None:
        pytest.skip(f"needs chromium and chromedriver; install them with: {INSTALL}")
    driver = Server([CHROMEDRIVER, "--port=0"], r"started successfully on port (?P<port>\d+)")
    with driver:
        browser = WebDriver(driver.url, tmp_path / "profile")
        try:
            yield browser
        finally:
            browser.quit()


@pytest.mark.parametrize("kind", ["signed", "encrypted"])
def test_a_session_over_4_kb_survives_in_chromium_and_shrinks_back(
    kind: str, chromium: WebDriver
) -> None:
    server = Server(
        [str(BIN / "waitress-serve"), "--listen=127.0.0.1:0", "tests._chunk_app:application"],
        r"Serving on http://127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(SESSIONWARE_TEST_INTERFACE=kind),
    )
    with server:
        grown = state(big_text("1"))
        assert chromium.get(f"{server.url}/grow?seed=1") == grown
        cookies = chromium.cookies()
        count = len(cookies)
        assert count >= 2
        assert sorted(cookies) == sorted(["session"] + [f"session.{i}" for i in range(1, count)])
        assert cookies["session"].startswith(f"~{count}~")
        for _ in range(3):  # several requests, each reading and re-writing the session
            assert chromium.get(f"{server.url}/") == grown
        regrown = state(big_text("2"))
        assert chromium.get(f"{server.url}/grow?seed=2") == regrown
        assert chromium.get(f"{server.url}/") == regrown
        assert chromium.get(f"{server.url}/shrink") == state("small")
        assert sorted(chromium.cookies()) == ["session"]
        # What the user gets: the next request carries the small cookie alone, the
        # deleted chunks are gone for good.
        assert chromium.get(f"{server.url}/") == state("small")
        assert chromium.text("sent") == "session"
        assert sorted(chromium.cookies()) == ["session"]
        # Every page load above, and nothing else, read and re-wrote the session.
        assert chromium.text("visits") == "8"
