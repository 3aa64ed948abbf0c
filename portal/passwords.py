"""Password hashing with argon2id; cost comes from the app's configuration."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

from .models import User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


def init_app(app: Flask) -> None:
    app.extensions["password_hasher"] = PasswordHasher(
        time_cost=app.config["PASSWORD_TIME_COST"],
        memory_cost=app.config["PASSWORD_MEMORY_COST"],
    )


def _hasher() -> PasswordHasher:
    return current_app.extensions["password_hasher"]


def set_password(user: User, password: str) -> None:
    user.password_hash = _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """True when the password matches; upgrades the stored hash if its cost is outdated."""
    if not user.password_hash:  # invited, no password yet: take as long as a real check
        spend_a_password_check(password)
        return False
    hasher = _hasher()
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def spend_a_password_check(password: str) -> None:
    """Verify against a throwaway hash, so a sign-in for an unknown email takes as long."""
    hasher = _hasher()
    dummy = current_app.extensions.setdefault("password_dummy_hash", hasher.hash("not a real password"))
    try:
        hasher.verify(dummy, password)
    except (VerificationError, InvalidHashError):
        pass
