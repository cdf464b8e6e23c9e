"""Web benchmarks: server time per interview and plan page (p50/p99), one PDF, and 50 concurrent users
through a full interview against a real server process on loopback. Prints a table. Fictional rulebook."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ENV = {
    "DJANGO_SETTINGS_MODULE": "passage.web.settings",
    "PASSAGE_DATA_DIR": tempfile.mkdtemp(),
    "PASSAGE_RULEBOOKS": str(ROOT / "tests" / "web" / "fixture_person"),
    "PASSAGE_TODAY": "2026-11-01",
    "PASSAGE_ALLOWED_HOSTS": "testserver,127.0.0.1",
}
os.environ.update(ENV)
ANSWERS = {
    "status": {"canadian_status": "permanent_resident", "in_canada": "yes"},
    "identity": {"citizenships": "BY"},
    "documents": {"national_passport_expiry": "2027-01-15"},
    "protection": {"fears_return": "yes"},
}


def interview(get, post) -> int:  # type: ignore[no-untyped-def]
    """A full interview; returns the number of errors (non-2xx/3xx answers)."""
    errors = 0
    for _ in range(20):
        location = get("/en/interview/").headers["location"]
        if location.endswith("/summary/"):
            break
        page = get(location)
        topic = location.rstrip("/").rsplit("/", 1)[-1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        names = set(re.findall(r'name="([a-z_]+?)(?:__dk|__from|__to|__none)?"', page.text)) - {
            "csrfmiddlewaretoken",
            "add_row",
        }
        data = dict(ANSWERS.get(topic, {}))
        data.update({f"{n}__dk": "1" for n in names if n not in data})
        data["csrfmiddlewaretoken"] = token.group(1) if token else ""
        errors += post(location, data).status_code >= 400
    errors += get("/en/plan/").status_code != 200
    return errors


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))] * 1000


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    client = Client()
    interview(client.get, client.post)
    page_times, plan_times = [], []
    for _ in range(200):
        start = time.perf_counter()
        client.get("/en/interview/citizenship/")
        page_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        client.get("/be/plan/")
        plan_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    assert client.get("/be/plan.pdf").status_code == 200
    pdf = time.perf_counter() - start

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-m", "passage.web", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env={**os.environ},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                httpx.get(f"http://127.0.0.1:{port}/en/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)

        def user(_: int) -> int:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
                return interview(http.get, lambda url, data: http.post(url, data=data))

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=50) as pool:
            errors = sum(pool.map(user, range(50)))
        load = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"{'measure':<42}{'p50 ms':>10}{'p99 ms':>10}{'target':>16}")
    print(
        f"{'interview page (server, in-process)':<42}"
        f"{pct(page_times, 0.5):>10.1f}{pct(page_times, 0.99):>10.1f}"
        f"{'<50 / <100':>16}"
    )
    print(
        f"{'plan page (server, in-process)':<42}{pct(plan_times, 0.5):>10.1f}{pct(plan_times, 0.99):>10.1f}"
        f"{'<50 / <100':>16}"
    )
    print(f"{'PDF (one plan)':<42}{pdf * 1000:>10.0f}{'':>10}{'<1000':>16}")
    print(
        f"{'50 concurrent users, full interview':<42}{load:>9.1f}s"
        f"{'errors ' + str(errors):>10}{'0 errors':>16}"
    )
    if errors:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
