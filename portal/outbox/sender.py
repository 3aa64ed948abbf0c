"""Sending the emails a request queued, in this process, right after the response.

Each process has one sender thread. A request that queued emails hands their ids over
once its transaction is committed (``after_request``); the thread claims each row, so a
cron run cannot send it too, and delivers it as ``flask reminders send`` would. Nobody
waits on the mail server while the page answers; if the try fails, the row stays queued
with its backoff and the next run of ``flask reminders send`` sends it.
"""

from __future__ import annotations

import atexit
import os
import queue
import threading
from logging import INFO, WARNING

from flask import Flask, Response, current_app, request

from .delivery import send_now
from .emails import queued_in_this_request, watch_commits


class Sender:
    """The sender thread of this process, started on first use (so a forked worker starts
    its own) and fed ids through a queue."""

    def __init__(self, app: Flask):
        self.app = app
        self._lock = threading.Condition()
        self._jobs: queue.SimpleQueue[tuple[list[int], str]] | None = None
        self._pid: int | None = None
        self._waiting = 0  # batches handed over and not yet tried

    def hand_over(self, ids: list[int], base_url: str) -> None:
        """Send these emails soon; links in them start with ``base_url`` unless PORTAL_URL is set."""
        with self._lock:
            if self._jobs is None or self._pid != os.getpid():
                self._jobs, self._pid, self._waiting = queue.SimpleQueue(), os.getpid(), 0
                thread = threading.Thread(
                    target=self._work, args=(self._jobs,), name="outbox-sender", daemon=True
                )
                thread.start()
                # A worker that exits (a restart, max-requests) first finishes what it holds.
                atexit.register(self.wait, 10)
            self._waiting += 1
            self._jobs.put((ids, base_url))

    def wait(self, timeout: float = 30) -> bool:
        """Until every email handed over has been tried (for tests and a tidy shutdown)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._waiting == 0, timeout)

    def _work(self, jobs: queue.SimpleQueue[tuple[list[int], str]]) -> None:
        while True:
            ids, base_url = jobs.get()
            try:
                with self.app.test_request_context(base_url=base_url):  # for links in the emails
                    for email_id in ids:
                        for line in send_now(email_id).lines:
                            went = line.startswith(("sent", "skipped", "held"))
                            current_app.logger.log(INFO if went else WARNING, "Outbox: %s", line)
            except Exception:  # the row stays queued for the next run; this thread goes on
                self.app.logger.exception("Outbox: sending emails %s right away failed", ids)
            finally:
                with self._lock:
                    self._waiting -= 1
                    self._lock.notify_all()


def init_app(app: Flask) -> None:
    sender = app.extensions["outbox_sender"] = Sender(app)
    watch_commits()

    @app.after_request
    def send_what_was_queued(response: Response) -> Response:
        ids = queued_in_this_request()
        if ids:
            sender.hand_over(ids, request.host_url)
        return response


def wait_for_sender(timeout: float = 30) -> bool:
    """Until this app's sender has tried everything it was handed."""
    sender: Sender = current_app.extensions["outbox_sender"]
    return sender.wait(timeout)
