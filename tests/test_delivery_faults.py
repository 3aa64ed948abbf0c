"""Exactly-once email when the database goes away in the middle of a run.

The database is taken away right after the mail server accepts a message, before the
portal hears the answer: PostgreSQL through a proxy the test cuts (a restart: connections
dropped and refused), SQLite by another process holding its write lock past the portal's
busy timeout (a long policy save). Each message must still arrive once.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import timedelta

import pytest
from flask import Flask
from markupsafe import escape
from sqlalchemy import select, update
from sqlalchemy.engine import make_url

from conftest import TEST_CONFIG, mail_config
from mailserver import Mailbox, SMTPServer
from portal import create_app
from portal.extensions import db
from portal.models import EmailKind, EmailStatus, OutboxEmail, Role
from portal.outbox import delivery
from portal.outbox.emails import row_values
from portal.times import utcnow
from tcpproxy import Proxy


class Outage:
    """Takes the portal's database away for a few seconds, at once."""

    def __init__(self, database_url: str):
        url = make_url(database_url)
        self.sqlite_path = url.database if url.get_backend_name() == "sqlite" else None
        self.proxy: Proxy | None = None
        if self.sqlite_path is None:
            self.proxy = Proxy(url.host or "127.0.0.1", url.port or 5432).start()
            url = url.set(host="127.0.0.1", port=self.proxy.port)
        self.url = url.render_as_string(hide_password=False)
        self.count = 0
        self.threads: list[threading.Thread] = []

    def begin(self, seconds: float) -> None:
        """The database is unreachable from now on, for ``seconds``."""
        self.count += 1
        if self.proxy is not None:  # a restart: every connection dropped, new ones refused
            self.proxy.cut()
            thread: threading.Thread = threading.Timer(seconds, self.proxy.start)
            thread.start()
        else:  # a writer that keeps the lock
            locked = threading.Event()
            thread = threading.Thread(target=self._hold_lock, args=(seconds, locked))
            thread.start()
            assert locked.wait(10), "could not take SQLite's write lock"
        self.threads.append(thread)

    def _hold_lock(self, seconds: float, locked: threading.Event) -> None:
        connection = sqlite3.connect(self.sqlite_path, timeout=10, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        locked.set()
        time.sleep(seconds)
        connection.execute("ROLLBACK")
        connection.close()

    def end(self) -> None:
        for thread in self.threads:
            thread.join()
        if self.proxy is not None:
            self.proxy.cut()


class FaultyMailbox(Mailbox):
    """Accepts (or with ``refuse``, refuses) each message, then takes the database away
    before the portal hears so."""

    def __init__(self, outage: Outage, seconds: float, times: int, refuse: str | None = None):
        super().__init__(refuse=refuse)
        self.outage, self.seconds, self.times = outage, seconds, times

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.outage.count < self.times:
            self.outage.begin(self.seconds)
        return answer


@pytest.fixture
def outage(database_url):
    outage = Outage(database_url)
    yield outage
    outage.end()


def portal_app(outage: Outage, server: SMTPServer, patience: float) -> Flask:
    return create_app(
        {
            **TEST_CONFIG,
            **mail_config(server),
            "SQLALCHEMY_DATABASE_URI": outage.url,
            "SQLITE_BUSY_TIMEOUT_MS": 100,
            "OUTBOX_DATABASE_PATIENCE": patience,
        }
    )


def queue_notices(app, make, count: int) -> None:
    """``count`` emails due now, one to each of ``count`` people."""
    users = [make.user(Role.RECRUITER, email=f"person{n}@example.com") for n in range(count)]
    now = utcnow()
    with app.app_context():
        for user in users:
            db.session.add(
                OutboxEmail(**row_values(user.id, EmailKind.PASSWORD_CHANGED, "fault", now))
            )
        db.session.commit()


def run(app: Flask) -> delivery.RunReport:
    with app.test_request_context(base_url="http://portal.test"):
        try:
            return delivery.run(utcnow())
        finally:
            db.session.remove()


def rows(app) -> list[OutboxEmail]:
    with app.app_context():
        found = list(db.session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
        db.session.expunge_all()
        return found


def test_each_message_arrives_once_when_the_database_drops_after_every_accept(
    app, make, outage, caplog
):
    queue_notices(app, make, 10)
    mailbox = FaultyMailbox(outage, seconds=0.4, times=10)
    with SMTPServer(mailbox) as server:
        portal = portal_app(outage, server, patience=30)
        report = run(portal)
        again = run(portal)  # nothing is left to send
        with portal.app_context():
            db.engine.dispose()
    assert outage.count == 10
    waits = [r for r in caplog.records if "the database did not answer" in r.getMessage()]
    assert len(waits) >= 10, "the database never went away: nothing was tested"
    assert report.counts["sent"] == 10 and again.counts.get("sent", 0) == 0
    arrived = sorted(m["To"] for m in mailbox.messages)
    assert arrived == sorted(f"person{n}@example.com" for n in range(10))
    stored = rows(app)
    assert {r.status for r in stored} == {EmailStatus.SENT}
    assert all(r.attempts == 1 and r.last_error == "" for r in stored)
    headers = {m["To"]: m["Message-ID"] for m in mailbox.messages}
    assert all(headers[r.to_address] == r.message_id for r in stored)
    assert len(set(headers.values())) == 10
    assert all(r.message_id.endswith("@finchleylane.example>") for r in stored)


def test_a_run_that_loses_the_database_lets_go_and_the_next_settles_without_resending(
    app, make, outage, login_as
):
    """The database stays away longer than the run waits: the run stops with an error. What
    it had claimed and not handed over goes on the very next run; the one message the mail
    server took is never sent again, and is marked sent, unconfirmed, once the claim is stale."""
    queue_notices(app, make, 7)
    mailbox = FaultyMailbox(outage, seconds=3.0, times=1)
    with SMTPServer(mailbox) as server:
        portal = portal_app(outage, server, patience=2)
        with pytest.raises(delivery.DATABASE_GONE):
            run(portal)
        assert len(mailbox.messages) == 1
        stuck = [r for r in rows(app) if r.status == EmailStatus.SENDING]
        assert len(stuck) == 1 and stuck[0].handed_at is not None
        assert stuck[0].message_id == mailbox.messages[0]["Message-ID"]
        report = run(portal)  # at once: the run let go of the rest before it stopped
        assert report.counts["sent"] == 6 and len(mailbox.messages) == 7
        with portal.app_context():
            db.session.execute(  # fifteen minutes on, the stale hand-over is settled
                update(OutboxEmail)
                .where(OutboxEmail.status == EmailStatus.SENDING)
                .values(handed_at=utcnow() - timedelta(minutes=16))
            )
            db.session.commit()
        assert run(portal).counts.get("sent", 0) == 0
        with portal.app_context():
            db.engine.dispose()
    assert len(mailbox.messages) == 7
    assert len({m["To"] for m in mailbox.messages}) == 7
    [settled] = [r for r in rows(app) if r.id == stuck[0].id]
    assert settled.status == EmailStatus.SENT and settled.last_error == delivery.UNCONFIRMED
    assert settled.sent_at == settled.handed_at  # when it was handed over
    oldest = login_as(Role.ADMIN).get("/admin/outbox?status=sent&page=999")  # the last
    page = oldest.get_data(as_text=True)
    assert "Not confirmed" in page and escape(settled.message_id) in page


def test_a_refused_message_is_put_back_even_when_the_database_goes_away(app, make, outage):
    """The mail server refused it, and the database went before that could be recorded:
    the run knows the message did not go, so it queues it again (not "sent, unconfirmed")."""
    queue_notices(app, make, 1)
    refusing = FaultyMailbox(outage, seconds=3.0, times=1, refuse="554 Not today")
    with SMTPServer(refusing) as server:
        portal = portal_app(outage, server, patience=2)
        with pytest.raises(delivery.DATABASE_GONE):
            run(portal)
        [row] = rows(app)
        assert row.status == EmailStatus.QUEUED and row.handed_at is None and row.claim_id is None
        with portal.app_context():
            db.engine.dispose()
    with SMTPServer(Mailbox()) as server:  # the next run, the server willing again
        later = portal_app(outage, server, patience=2)
        assert run(later).counts["sent"] == 1
        assert [m["To"] for m in server.mailbox.messages] == ["person0@example.com"]
        with later.app_context():
            db.engine.dispose()
    [row] = rows(app)
    assert row.status == EmailStatus.SENT


class RudeAtQuit(Mailbox):
    """Takes the message, then answers QUIT with an error."""

    async def handle_QUIT(self, server, session, envelope):
        return "421 Closing now, not politely"


def test_a_message_taken_then_an_error_at_goodbye_counts_as_sent(app, make):
    queue_notices(app, make, 1)
    rude = RudeAtQuit()
    with SMTPServer(rude) as server:
        portal = create_app(
            {
                **TEST_CONFIG,
                **mail_config(server),
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            }
        )
        report = run(portal)
        assert run(portal).counts.get("sent", 0) == 0
        with portal.app_context():
            db.engine.dispose()
    assert report.counts["sent"] == 1 and len(rude.messages) == 1
    [row] = rows(app)
    assert row.status == EmailStatus.SENT and row.last_error == ""


def test_a_claim_taken_over_sends_nothing(app, make, mailbox):
    """A run that looked dead (its claim was taken over) and then wakes up sends nothing:
    the claim id fences it off."""
    queue_notices(app, make, 1)
    with app.test_request_context(base_url="http://portal.test"):
        [email_id] = delivery.claim(utcnow(), "sleepy")
        db.session.execute(  # a minute on, another run takes it over
            update(OutboxEmail).values(claimed_at=utcnow() - timedelta(minutes=2))
        )
        db.session.commit()
        assert delivery.claim(utcnow(), "awake") == [email_id]
        report = delivery.RunReport()
        delivery.deliver(email_id, utcnow(), report, "sleepy")
        key = rows(app)[0].key
        taken_over = f"password changed notice to person0@example.com ({key})"
        assert report.lines == [f"skipped: {taken_over} (another run took it over)"]
        delivery.deliver(email_id, utcnow(), report, "awake")
    assert len(mailbox.messages) == 1
    [row] = rows(app)
    assert row.status == EmailStatus.SENT and row.claim_id == "awake"


def test_a_run_that_cannot_reach_the_database_says_so_in_one_line(database_url, tmp_path):
    if database_url.startswith("sqlite"):
        unreachable = f"sqlite:///{tmp_path}/missing/dir/portal.sqlite3"
    else:  # nothing listens where it points
        proxy = Proxy("127.0.0.1", 9).start()
        proxy.cut()
        unreachable = (
            make_url(database_url)
            .set(host="127.0.0.1", port=proxy.port)
            .render_as_string(hide_password=False)
        )
    broken = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": unreachable})
    result = broken.test_cli_runner().invoke(args=["reminders", "send"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: the database could not be reached (")
    assert line.endswith(
        "Emails not yet handed to the mail server go on the next run; none goes twice."
    )
