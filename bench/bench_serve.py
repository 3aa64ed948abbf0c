"""From saving a guide to the page showing it, under ``build.py serve`` and MkDocs' ``serve``.

Each server runs as the writer runs it, on the same corpus. For each edit the benchmark
appends a paragraph to a guide and starts the clock; it waits for the server's news that
the site is rebuilt (our ``reload`` event; MkDocs' live-reload poll answering with a newer
epoch), fetches the page as the reloading browser would, and stops the clock when the
page holds the new paragraph. Edits are a second and a half apart, so each is its own.
"""

from __future__ import annotations

import http.client
import queue
import re
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GAP_SECONDS = 1.5
TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 120.0) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return urllib.request.urlopen(url, timeout=5).read().decode()
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


def page_holds(url: str, token: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        if token in urllib.request.urlopen(url, timeout=5).read().decode():
            return
        time.sleep(0.005)
    raise TimeoutError(f"{url} never showed {token}")


def append(guide: Path, token: str) -> None:
    guide.write_text(guide.read_text() + f"\nA paragraph added while serving: {token}.\n")


def timed_edits(guide: Path, url: str, edits: int, rebuilt: Callable[[int], None]) -> list[float]:
    """Seconds from each edit of ``guide`` to ``url`` holding it; ``rebuilt(n)`` returns
    once the server says edit ``n`` is built."""
    times = []
    for n in range(edits):
        token = f"edit-{n}-{time.time_ns()}"
        started = time.perf_counter()
        append(guide, token)
        rebuilt(n)
        page_holds(url, token, time.monotonic() + TIMEOUT_SECONDS)
        times.append(time.perf_counter() - started)
        time.sleep(GAP_SECONDS)
    return times


class Events(threading.Thread):
    """Our server's event stream, read as the page's EventSource reads it."""

    def __init__(self, port: int):
        super().__init__(daemon=True)
        self.port, self.events = port, queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connection.request("GET", "/__live/events")
        self.response = self.connection.getresponse()

    def run(self) -> None:
        event = None
        for raw in self.response:
            line = raw.decode().rstrip("\r\n")
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif not line and event:
                self.events.put((event, time.perf_counter()))
                event = None


def ours(python: str, content: Path, out: Path, edits: int, guide: str) -> list[float]:
    port = free_port()
    server = subprocess.Popen(
        [
            python,
            str(ROOT / "build.py"),
            "serve",
            "--content",
            str(content),
            "--out",
            str(out),
            "--formats",
            "site",
            "--port",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/guides/{guide}/"
        wait_for(url)
        events = Events(port)
        events.start()
        time.sleep(0.5)

        def rebuilt(n: int) -> None:
            event, _ = events.events.get(timeout=TIMEOUT_SECONDS)
            if event != "reload":
                raise RuntimeError(f"the build failed: {event}")

        return timed_edits(content / "guides" / f"{guide}.md", url, edits, rebuilt)
    finally:
        server.terminate()
        server.wait(timeout=30)


def mkdocs(python: str, project: Path, edits: int, guide: str) -> list[float]:
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "mkdocs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/{guide}/"
        epoch = int(re.search(r"livereload\((\d+),", wait_for(url)).group(1))
        time.sleep(0.5)

        def rebuilt(n: int) -> None:
            # The page's own poll: it answers once a build newer than the page's is visible.
            nonlocal epoch
            poll = f"http://127.0.0.1:{port}/livereload/{epoch}/{n + 1}"
            epoch = int(urllib.request.urlopen(poll, timeout=TIMEOUT_SECONDS).read())

        return timed_edits(project / "docs" / f"{guide}.md", url, edits, rebuilt)
    finally:
        server.terminate()
        server.wait(timeout=30)


def bench_serve(
    python: str, content: Path, mkdocs_project: Path, work: Path, edits: int, guide: str
) -> dict[str, float]:
    mine = ours(python, content, work / "dist-serve", edits, guide)
    theirs = mkdocs(python, mkdocs_project, edits, guide)
    return {
        "serve_reload": statistics.median(mine),
        "serve_reload_worst": max(mine),
        "mkdocs_reload": statistics.median(theirs),
    }
