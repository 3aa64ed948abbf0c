"""One-time links: invitations and password resets, which let a person choose a password,
and confirmations of a new email address.

Helpers here flush but never commit. The view commits the link together with the
email that carries it (queued in the outbox), so a mail server that is down cannot
leave a half-made record.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, select, update

from ..extensions import db
from ..models import Candidate, LinkPurpose, PasswordLink, Role, User
from ..times import utcnow
from .passwords import set_password

# Don't send another reset email to the same account within this time: stops someone
# filling a person's inbox from the "forgot password" form.
RESET_RESEND_AFTER = timedelta(minutes=2)


class LinkProblem(enum.Enum):
    UNKNOWN = "unknown"
    USED = "used"
    REPLACED = "replaced"
    EXPIRED = "expired"
    INACTIVE = "inactive"
    ADDRESS_TAKEN = "address_taken"


@dataclass(frozen=True)
class LinkCheck:
    link: PasswordLink | None
    problem: LinkProblem | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_hours(purpose: LinkPurpose) -> int:
    """How long a link of this purpose lasts (configured)."""
    return current_app.config[
        "RESET_LINK_HOURS" if purpose == LinkPurpose.RESET else "INVITE_LINK_HOURS"
    ]


def issue_link(
    user: User, purpose: LinkPurpose, by: User | None, now: datetime | None = None
) -> PasswordLink:
    """A new link for ``user``; earlier unspent links of the same purpose stop working (so
    a stranger asking for resets cannot cancel an invitation). Its token: ``link_token``."""
    now = now or utcnow()
    revoke_open_links(user, now, purpose)
    nonce = secrets.token_urlsafe(32)
    link = PasswordLink(
        user_id=user.id,
        purpose=purpose,
        nonce=nonce,
        token_hash=token_hash(_token_for(nonce)),
        created_at=now,
        expires_at=now + timedelta(hours=link_hours(purpose)),
        created_by_id=by.id if by else None,
    )
    db.session.add(link)
    db.session.flush()
    return link


def link_token(link: PasswordLink) -> str | None:
    """The token of a link, for the email that carries it: worked out again from the link's
    nonce and the SECRET_KEY. None when it cannot be (a link from before nonces, or one made
    under another SECRET_KEY: its token no longer matches what is stored)."""
    if not link.nonce:
        return None
    token = _token_for(link.nonce)
    return token if hmac.compare_digest(token_hash(token), link.token_hash) else None


def _token_for(nonce: str) -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"password-link:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def revoke_open_links(
    user: User, now: datetime | None = None, purpose: LinkPurpose | None = None
) -> None:
    """Unspent links of this person (of one purpose, or all) stop working: after a password
    change, or when their email address changes."""
    query = update(PasswordLink).where(
        PasswordLink.user_id == user.id,
        PasswordLink.used_at.is_(None),
        PasswordLink.revoked_at.is_(None),
    )
    if purpose is not None:
        query = query.where(PasswordLink.purpose == purpose)
    db.session.execute(query.values(revoked_at=now or utcnow()))


def check_link(
    token: str, purposes: tuple[LinkPurpose, ...], now: datetime | None = None
) -> LinkCheck:
    """Find the link of one of these purposes a token belongs to (a link made for another
    purpose is unknown here), and say whether it can still be used."""
    now = now or utcnow()
    if not token or len(token) > 100:
        return LinkCheck(None, LinkProblem.UNKNOWN)
    link = db.session.scalar(
        select(PasswordLink).where(
            PasswordLink.token_hash == token_hash(token), PasswordLink.purpose.in_(purposes)
        )
    )
    if link is None:
        return LinkCheck(None, LinkProblem.UNKNOWN)
    return LinkCheck(link, link_problem(link, now))


def link_problem(link: PasswordLink, now: datetime) -> LinkProblem | None:
    """Why the link cannot be used now, or None."""
    if link.used_at is not None:
        return LinkProblem.USED
    if link.revoked_at is not None:
        return LinkProblem.REPLACED
    if now >= link.expires_at:
        return LinkProblem.EXPIRED
    if not link.user.active:
        return LinkProblem.INACTIVE
    return None


def use_link(link: PasswordLink, password: str, now: datetime | None = None) -> User | None:
    """Set the password through the link, which is then spent (with any other open ones).

    None when another request spent the link a moment earlier: the row is claimed with a
    conditional UPDATE, so two submissions of one link cannot both set a password."""
    now = now or utcnow()
    if not _spend(link, now):
        return None
    user = link.user
    set_password(user, password)
    revoke_open_links(user, now)
    return user


def _spend(link: PasswordLink, now: datetime) -> bool:
    """Mark the link used, if nothing used or replaced it first (a conditional UPDATE)."""
    # An UPDATE's result is a CursorResult, which knows how many rows it changed.
    result = cast(
        CursorResult,
        db.session.execute(
            update(PasswordLink)
            .where(
                PasswordLink.id == link.id,
                PasswordLink.used_at.is_(None),
                PasswordLink.revoked_at.is_(None),
            )
            .values(used_at=now)
        ),
    )
    return result.rowcount == 1


def address_in_use(email: str, user: User) -> bool:
    """Another account signs in with this address, or (for a candidate) another candidate's
    profile has it."""
    if db.session.scalar(select(User.id).where(User.email == email, User.id != user.id)):
        return True
    profile = user.candidate.id if user.candidate is not None else None
    return (
        db.session.scalar(
            select(Candidate.id).where(Candidate.email == email, Candidate.id != profile)
        )
        is not None
    )


def ask_email_change(user: User, new_email: str, by: User | None) -> PasswordLink:
    """A link that changes ``user``'s address to ``new_email`` once it is used (it is sent
    to the new address; the old one is told). An earlier request stops working."""
    link = issue_link(user, LinkPurpose.EMAIL_CHANGE, by)
    link.new_email, link.old_email = new_email, user.email
    return link


def change_email(user: User, new_email: str, now: datetime | None = None) -> None:
    """Give ``user`` the address ``new_email`` (and their candidate profile, when it had the
    same address); links sent to the old address stop working."""
    if user.candidate is not None and user.candidate.email == user.email:
        user.candidate.email = new_email
    user.email = new_email
    revoke_open_links(user, now)


def use_email_link(link: PasswordLink, now: datetime | None = None) -> LinkProblem | None:
    """Change the address through the link, which is then spent. Why not, if it cannot be:
    spent or replaced a moment earlier, or the address taken by someone else meanwhile."""
    now = now or utcnow()
    assert link.new_email is not None  # an email-change link always carries its address
    if address_in_use(link.new_email, link.user):
        return LinkProblem.ADDRESS_TAKEN
    if not _spend(link, now):
        return LinkProblem.USED
    change_email(link.user, link.new_email, now)
    return None


def recent_reset(user: User, now: datetime | None = None) -> bool:
    """A reset link went to this person moments ago (see RESET_RESEND_AFTER)."""
    now = now or utcnow()
    return (
        db.session.scalar(
            select(PasswordLink.id)
            .where(
                PasswordLink.user_id == user.id,
                PasswordLink.purpose == LinkPurpose.RESET,
                PasswordLink.created_at > now - RESET_RESEND_AFTER,
            )
            .limit(1)
        )
        is not None
    )


class InviteRefused(Exception):
    """The candidate cannot be invited; the message says why, in words for the recruiter."""


def candidate_account(candidate: Candidate) -> User:
    """The candidate's sign-in, created (without a password) when they have none yet."""
    if candidate.user is not None:
        if candidate.user.password_hash:
            raise InviteRefused(
                f"{candidate.name} already has a password. If they forgot it, they can use "
                "“Forgot your password?” on the sign-in page."
            )
        if not candidate.user.active:
            raise InviteRefused(
                f"{candidate.name}'s sign-in is deactivated; an admin can reactivate it first."
            )
        return candidate.user
    if not candidate.email:
        raise InviteRefused("Add the candidate's email address first.")
    if db.session.scalar(select(User.id).where(User.email == candidate.email)) is not None:
        raise InviteRefused(
            f"Another account already uses {candidate.email}; an admin can sort this out."
        )
    user = User(
        email=candidate.email,
        name=candidate.name,
        role=Role.CANDIDATE,
        password_hash=None,
        active=True,
    )
    candidate.user = user
    db.session.add(user)
    db.session.flush()
    return user


def invitation_state(user: User | None) -> PasswordLink | None:
    """The newest invitation sent to this person, if any."""
    if user is None:
        return None
    return db.session.scalar(
        select(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.purpose == LinkPurpose.INVITE)
        .order_by(PasswordLink.created_at.desc(), PasswordLink.id.desc())
        .limit(1)
    )


def pending_email_change(user: User, now: datetime | None = None) -> PasswordLink | None:
    """The change of address asked for and not yet confirmed (its link still works)."""
    now = now or utcnow()
    return db.session.scalar(
        select(PasswordLink)
        .where(
            PasswordLink.user_id == user.id,
            PasswordLink.purpose == LinkPurpose.EMAIL_CHANGE,
            PasswordLink.used_at.is_(None),
            PasswordLink.revoked_at.is_(None),
            PasswordLink.expires_at > now,
        )
        .order_by(PasswordLink.id.desc())
        .limit(1)
    )
