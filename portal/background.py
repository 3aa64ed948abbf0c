"""Work a request hands over to do right after its response, in this process.

Each process has one background thread, started on first use (so a forked worker starts
its own), fed through a queue: the emails a request queued (``outbox.sender``) and the
application of a policy change to the open steps (``steps.applying``). Work runs in a
request context of its own (links in emails need a host); whatever it leaves undone, a
command finishes (``flask reminders send``, ``flask steps sync``), so a crash here loses
nothing but time.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
from collections.abc import Callable

from flask import Flask, current_app

Work = Callable[[], object]


class Background:
    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Condition()
        self._jobs: queue.SimpleQueue[tuple[str, Work, str]] | None = None
        self._pid: int | None = None
        self._waiting = 0  # jobs handed over and not yet finished

    def hand_over(self, name: str, work: Work, base_url: str) -> None:
        """Run ``work`` soon in a request context whose links start with ``base_url``."""
        with self._lock:
            if self._jobs is None or self._pid != os.getpid():
                self._jobs, self._pid, self._waiting = queue.SimpleQueue(), os.getpid(), 0
                thread = threading.Thread(
                    target=self._work, args=(self._jobs,), name="portal-background", daemon=True
                )
                thread.start()
                # A worker that exits (a restart, max-requests) first finishes what it holds.
                atexit.register(self.wait, 10)
            self._waiting += 1
            self._jobs.put((name, work, base_url))

    def wait(self, timeout: float = 30) -> bool:
        """Until every job handed over has run (for tests and a tidy shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._waiting == 0, timeout)

    def _work(self, jobs: queue.SimpleQueue[tuple[str, Work, str]]) -> None:
        while True:
            name, work, base_url = jobs.get()
            try:
                with self.app.test_request_context(base_url=base_url):
                    work()
            except Exception:  # a command finishes what this left; the thread goes on
                self.app.logger.exception("Background: %s failed", name)
            finally:
                with self._lock:
                    self._waiting -= 1
                    self._lock.notify_all()


def init_app(app: Flask) -> None:
    app.extensions["background"] = Background(app)


def hand_over(name: str, work: Work, base_url: str) -> None:
    background: Background = current_app.extensions["background"]
    background.hand_over(name, work, base_url)


def wait_for_background(timeout: float = 30) -> bool:
    """Until this app's background thread has run everything it was handed."""
    background: Background = current_app.extensions["background"]
    return background.wait(timeout)
