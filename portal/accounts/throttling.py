"""Sign-in throttling: failed attempts are counted in the database, per address typed and
per network address, so the limits hold across workers and servers."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import request
from sqlalchemy import delete, func, select

from ..audit import record
from ..extensions import db
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


def password_guess(user: User, password: str, what: str) -> bool | None:
    """Check a signed-in person's password again (before a sensitive action, or to change
    it), throttled and recorded like a sign-in. None when throttled."""
    address = request.remote_addr or "unknown"
    if sign_in_refused(user.email, address):
        return None
    attempt = record_attempt(user.email, address, succeeded=False)
    db.session.commit()  # counted before the slow check, so parallel guesses see it
    if check_password(user, password):
        attempt.succeeded = True
        return True
    record(user, "password.failed", f"Wrong password when {what}, from {address}")
    db.session.commit()
    return False
