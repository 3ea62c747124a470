"""Pages under load: the demo served as the README's main command serves it (`shnor serve`),
50 concurrent users of every role walking their main pages, beside a trivial view (`/health/`)
served the same way in the same run.

    python benchmarks/load_demo.py [--users 50] [--seconds 120] [--baseline-seconds 20]

Loopback only; every loop is bounded by time. Prints requests/s, p50/p95/p99 and errors for the
pages and for the trivial view, and the ratio between their throughputs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHNOR = [sys.executable, "-m", "shnor"]
ROLES = ("region", "mun", "curator", "school", "observer")


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies.append(seconds)
            if error:
                self.errors[error] = self.errors.get(error, 0) + 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def page_list(roles: tuple[str, ...]) -> dict[str, list[str]]:
    """Each role's main pages, with ids of what that role may see in the demo database (Django
    set up)."""
    from shnor.accounts.models import User
    from shnor.identification.models import Run
    from shnor.registry.models import Municipality, School
    from shnor.support.models import Programme

    pages = {}
    for name in roles:
        user = User.objects.get(username=name)
        schools = School.objects.restrict(user).order_by("code")
        card = schools.filter(municipality__name="Таёжный район").first() or schools.first()
        place = Municipality.objects.restrict(user).order_by("name").first()
        run = Run.objects.restrict(user).order_by("-created").first()
        programme = Programme.objects.restrict(user).filter(school__isnull=False).first()
        paths = ["/", f"/schools/{card.pk}/", "/support/", "/indicators/"]
        if name in ("region", "mun", "observer"):
            paths += ["/schools/", f"/municipalities/{place.pk}/", "/risks/"]
        if run is not None and name != "school":
            paths.append(f"/identification/runs/{run.pk}/")
        if programme is not None:
            paths.append(f"/support/programmes/{programme.pk}/")
        if name == "region":
            paths.append("/risks/resilience/")
        pages[name] = paths
    return pages


def pages_of(env: dict[str, str]) -> dict[str, list[str]]:
    script = (
        "import json, sys, django; sys.path.insert(0, sys.argv[1]); django.setup(); "
        "from load_demo import ROLES, page_list; print(json.dumps(page_list(ROLES)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(Path(__file__).resolve().parent)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


class Browser:
    """One user: a keep-alive connection, as a browser holds one, and its cookies. Redirects are
    followed and counted in the request's time, as a browser would. A GET on a kept connection
    that the server closed while it was idle is sent again on a new one, as browsers do."""

    def __init__(self, base: str) -> None:
        address = urllib.parse.urlsplit(base)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 80
        self.base = base
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str, bytes]:
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            reused = self.connection is not None
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.connection.request(method, path, body=body, headers=sent)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = None
                if not reused or attempt == 2:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, response.getheader("Location") or "", content

    def get(self, path: str) -> tuple[int, bytes]:
        for _ in range(5):
            status, location, content = self.send("GET", path)
            if status not in (301, 302, 303) or not location:
                return status, content
            path = urllib.parse.urlsplit(location).path or "/"
        return status, content

    def login(self, username: str) -> None:
        _, page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        data = urllib.parse.urlencode(
            {"username": username, "password": "demo", "csrfmiddlewaretoken": token[1].decode()}
        ).encode()
        status, location, _ = self.send(
            "POST",
            "/login/",
            body=data,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + "/login/",
            },
        )
        assert status == 302 and "/login/" not in location, f"login as {username} failed"


def walk(browser: Browser, paths: list[str], until: float, tally: Tally) -> None:
    rng = random.Random(id(browser))
    while time.monotonic() < until:
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            status, _ = browser.get(path)
            error = None if status == 200 else f"{status} {path}"
        except OSError as exc:
            error = f"{type(exc).__name__} {path}"
        tally.add(time.perf_counter() - started, error)


def load(base: str, users: int, seconds: float, pages: dict[str, list[str]] | None) -> Tally:
    tally = Tally()
    browsers = []
    for n in range(users):
        role = ROLES[n % len(ROLES)]
        browser = Browser(base)
        if pages is not None:
            browser.login(role)
        browsers.append((browser, pages[role] if pages else ["/health/"]))
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=walk, args=(b, p, until, tally), daemon=True) for b, p in browsers
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    return tally


def report(name: str, tally: Tally, seconds: float) -> float:
    lat = sorted(tally.latencies)
    rate = len(lat) / seconds
    q = statistics.quantiles(lat, n=100) if len(lat) > 1 else [lat[0]] * 99
    errors = sum(tally.errors.values())
    print(
        f"  {name}: {len(lat):,} requests, {rate:.1f} requests/s, "
        f"p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, p99 {q[98] * 1000:.0f} ms, "
        f"errors {errors}"
    )
    for error, count in sorted(tally.errors.items(), key=lambda e: -e[1])[:10]:
        print(f"    {count} × {error}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--baseline-seconds", type=float, default=20)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="shnor-load-"))
    env = {**os.environ, "SHNOR_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "shnor.settings"}
    env.pop("DATABASE_URL", None)
    env.pop("SHNOR_DEBUG", None)  # served as the README serves it: debug off
    subprocess.run([*SHNOR, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*SHNOR, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    pages = pages_of(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [*SHNOR, "serve", f"127.0.0.1:{port}"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if Browser(base).get("/health/")[0] == 200:
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("the server did not start")
        for role, paths in pages.items():  # every page answers before the clock starts
            browser = Browser(base)
            browser.login(role)
            for path in paths:
                status, _ = browser.get(path)
                assert status == 200, f"{role} {path}: {status}"
        print(
            f"load benchmark: `shnor serve` on the demo region, {args.users} users "
            f"({', '.join(ROLES)}), {os.cpu_count()} cores"
        )
        rate = report("main pages", load(base, args.users, args.seconds, pages), args.seconds)
        trivial = report(
            "trivial view /health/",
            load(base, args.users, args.baseline_seconds, None),
            args.baseline_seconds,
        )
        print(f"  pages throughput / trivial view throughput: {rate / trivial:.2f}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(60)


if __name__ == "__main__":
    main()
