"""One-time links emailed to a person: invitations and resets (to choose a password), and
confirmations of a new email address."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import Model
from ..times import utcnow
from .agency import User
from .base import Choice, UTCDateTime, choice_column


class LinkPurpose(Choice):
    INVITE = "invite", "Invitation"
    RESET = "reset", "Password reset"
    EMAIL_CHANGE = "email_change", "Email address change"


# The links that let a person choose a password (at /account/set-password/).
PASSWORD_PURPOSES = (LinkPurpose.INVITE, LinkPurpose.RESET)


class PasswordLink(Model):
    """A link emailed to a person so they can choose a password, usable once.

    Only a SHA-256 hash of the token is kept. The token is an HMAC of ``nonce`` under the
    app's SECRET_KEY, so the outbox can write it into the email when it sends it, while
    someone who reads the database (without the key) cannot use an unspent link.
    """

    __tablename__ = "password_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[LinkPurpose] = mapped_column(choice_column(LinkPurpose, "link_purpose"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # NULL on links made before links were sent through the outbox.
    nonce: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a newer link was sent, or the password was set another way.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # An email address change: the address it confirms, and the one it replaces (told).
    new_email: Mapped[str | None] = mapped_column(String(254))
    old_email: Mapped[str | None] = mapped_column(String(254))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def __repr__(self) -> str:
        return f"<PasswordLink {self.id} {self.purpose} for user {self.user_id}>"
