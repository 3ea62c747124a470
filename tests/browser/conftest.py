"""The real app on demo data, started as `shnor serve` with its worker, driven by Chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("SHNOR_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("app")
    env = {
        **os.environ,
        "SHNOR_DATA_DIR": str(folder),
        "SHNOR_FAST_HASHER": "1",
        "DATABASE_URL": f"sqlite:///{folder}/app.sqlite3",
    }
    command = shutil.which("shnor") or str(Path(sys.executable).with_name("shnor"))
    subprocess.run([command, "migrate", "-v0"], env=env, check=True)
    subprocess.run([command, "demo"], env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [command, "serve", f"127.0.0.1:{port}"],
        env=env,
        stdout=(folder / "serve.log").open("w"),  # kept for reading when a test fails
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    yield url
    os.killpg(server.pid, 15)
    server.wait(timeout=15)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not os.path.exists(CHROMIUM):
        if os.environ.get("SHNOR_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}")
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: object, app_url: str) -> Iterator[object]:
    context = browser.new_context(
        base_url=app_url, viewport={"width": 1400, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    yield page
    context.close()


def login(page: object, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo")
    page.click("button[type=submit]")
    page.wait_for_load_state()


def choose_federal(page: Any) -> None:
    """Select the newest version of the federal criteria in the run form (read from the page:
    the test thread may not query the database while Playwright drives the browser)."""
    options = page.locator("select[name=methodology] option", has_text="Федеральные критерии")
    versions = {}
    for i in range(options.count()):
        number = re.search(r"\(v(\d+)\)", options.nth(i).inner_text())
        versions[int(number[1]) if number else 0] = options.nth(i).get_attribute("value")
    page.select_option("select[name=methodology]", value=versions[max(versions)])
