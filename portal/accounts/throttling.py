"""Sign-in throttling: failed attempts are counted in the database, per address typed and
per network address, so the limits hold across workers and servers."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from flask import request
from sqlalchemy import CursorResult, delete, func, select

from ..audit import record
from ..extensions import db, write_lock
from ..models import SignInAttempt, User
from ..times import utcnow
from .passwords import check_password

SIGN_IN_WINDOW = timedelta(minutes=15)

MOST_FAILURES_PER_ACCOUNT = 5

MOST_FAILURES_PER_ADDRESS = 30

KEEP_ATTEMPTS = timedelta(days=30)

TOO_MANY = (
    "Too many failed sign-ins. Wait 15 minutes and try again, or use “Forgot your password?”."
)


def sign_in_refused(email: str, address: str, now: datetime | None = None) -> bool:
    """Too many recent failures for this address typed, or from this network address."""
    now = now or utcnow()
    since = now - SIGN_IN_WINDOW
    last_success = db.session.scalar(
        select(func.max(SignInAttempt.at)).where(
            SignInAttempt.email == email,
            SignInAttempt.succeeded.is_(True),
            SignInAttempt.at >= since,
        )
    )
    by_account = db.session.execute(
        select(func.count()).where(
            SignInAttempt.email == email,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.at >= (last_success or since),
        )
    ).scalar_one()
    if by_account >= MOST_FAILURES_PER_ACCOUNT:
        return True
    by_address = db.session.execute(
        select(func.count()).where(
            SignInAttempt.address == address,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.at >= since,
        )
    ).scalar_one()
    return by_address >= MOST_FAILURES_PER_ADDRESS


def record_attempt(
    email: str, address: str, succeeded: bool, now: datetime | None = None
) -> SignInAttempt:
    """Note one attempt (with the view's transaction); attempts past KEEP_ATTEMPTS go."""
    now = now or utcnow()
    db.session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - KEEP_ATTEMPTS))
    attempt = SignInAttempt(email=email[:254], address=address[:64], succeeded=succeeded, at=now)
    db.session.add(attempt)
    return attempt


def open_attempt(email: str, address: str) -> SignInAttempt | None:
    """Count one try at a password, as a failure until it succeeds, before the password is
    checked; None when a limit is already reached. The limits are read and the try written
    while holding a lock for this address typed (SQLite: its write lock), and committed, so
    guesses sent at the same moment all count: of 30 at once, exactly 5 are checked."""
    db.session.commit()  # a fresh transaction: the lock covers the count and the insert
    write_lock(_lock_for(email))
    if sign_in_refused(email, address):
        db.session.commit()
        return None
    attempt = record_attempt(email, address, succeeded=False)
    db.session.commit()
    return attempt


def _lock_for(email: str) -> int:
    """A PostgreSQL advisory lock number for one address typed (64 bits of its hash)."""
    return int.from_bytes(
        hashlib.sha256(f"sign-in:{email}".encode()).digest()[:8], "big", signed=True
    )


def password_guess(user: User, password: str, what: str) -> bool | None:
    """Check a signed-in person's password again (before a sensitive action, or to change
    it), throttled and recorded like a sign-in. None when throttled."""
    address = request.remote_addr or "unknown"
    attempt = open_attempt(user.email, address)
    if attempt is None:
        return None
    if check_password(user, password):
        attempt.succeeded = True
        return True
    record(user, "password.failed", f"Wrong password when {what}, from {address}")
    db.session.commit()
    return False


@dataclass(frozen=True)
class Lock:
    """An account refused sign-ins for a while: until when, after how many failures."""

    until: datetime
    failures: int


def locks(emails: Iterable[str], now: datetime | None = None) -> dict[str, Lock]:
    """The accounts among ``emails`` that sign-ins are refused for now (too many failures
    for the address), in one query: for the accounts list and a person's page."""
    now, wanted = now or utcnow(), set(emails)
    if not wanted:
        return {}
    recent = db.session.execute(
        select(SignInAttempt.email, SignInAttempt.at, SignInAttempt.succeeded)
        .where(SignInAttempt.email.in_(wanted), SignInAttempt.at >= now - SIGN_IN_WINDOW)
        .order_by(SignInAttempt.at)
    ).tuples()
    failures: dict[str, list[datetime]] = defaultdict(list)
    for email, at, succeeded in recent:
        if succeeded:  # a success wipes the slate, as for the sign-in check
            failures.pop(email, None)
        else:
            failures[email].append(at)
    return {
        email: Lock(until=times[-MOST_FAILURES_PER_ACCOUNT] + SIGN_IN_WINDOW, failures=len(times))
        for email, times in failures.items()
        if len(times) >= MOST_FAILURES_PER_ACCOUNT
    }


def forget_failures(email: str, now: datetime | None = None) -> int:
    """Clear the recent failed sign-ins for this address (an admin's unlock, a new password):
    its next sign-in is checked at once. How many there were."""
    now = now or utcnow()
    cleared = db.session.execute(
        delete(SignInAttempt).where(
            SignInAttempt.email == email,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.at >= now - SIGN_IN_WINDOW,
        )
    )
    return cast(CursorResult, cleared).rowcount
