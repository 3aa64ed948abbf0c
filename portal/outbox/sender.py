"""Sending the emails a request queued, in this process, right after the response.

A request that queued emails hands their ids over once its transaction is committed
(``after_request``) to the process's background thread, which claims each row, so a cron
run cannot send it too, and delivers it as ``flask reminders send`` would. Nobody waits
on the mail server while the page answers; if the try fails, the row stays queued with
its backoff and the next run of ``flask reminders send`` sends it.
"""

from __future__ import annotations

from logging import INFO, WARNING

from flask import Flask, Response, current_app, request

from ..background import hand_over
from .delivery import send_now
from .emails import queued_in_this_request, watch_commits


def send(ids: list[int]) -> None:
    for email_id in ids:
        for line in send_now(email_id).lines:
            went = line.startswith(("sent", "skipped", "held"))
            current_app.logger.log(INFO if went else WARNING, "Outbox: %s", line)


def init_app(app: Flask) -> None:
    watch_commits()

    @app.after_request
    def send_what_was_queued(response: Response) -> Response:
        ids = queued_in_this_request()
        if ids:
            hand_over(f"sending emails {ids}", lambda: send(ids), request.host_url)
        return response
