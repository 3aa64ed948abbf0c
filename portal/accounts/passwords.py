"""Password hashing with argon2id; cost comes from the app's configuration."""

import itertools
import re

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from ..models import User

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
# The 30,000 most common passwords in leaked lists, as zxcvbn ships them.
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, personal: list[str] | tuple = ()) -> str | None:
    """Why a new password would be easy to guess, or None. No composition rules: a common
    password, one close to it, or one built from the person's own name or email is refused."""
    if password.lower() in COMMON_PASSWORDS:
        return "This is one of the most common passwords. Choose another: a few unrelated words work well."
    # zxcvbn's estimate (score 0 to 4) of the first 72 characters: longer ones are long enough.
    result = zxcvbn(password[:72], user_inputs=personal_words(personal))  # its own limit
    if result["score"] < 3:
        warning = result["feedback"]["warning"].rstrip(".")
        return (
            f"This would be easy to guess{': ' + warning.lower() if warning else ''}. "
            "A few unrelated words work well."
        )
    return None


def personal_words(personal: list[str] | tuple) -> list[str]:
    """What a guesser would try from a person's name and email: each, each part of it, and
    the parts run together in either order ("Rita Alpha" → rita, alpha, ritaalpha, alpharita).
    Of an email, the part before the @ only."""
    words: list[str] = []
    for text in filter(None, personal):
        text = text.lower()
        parts = [p for p in re.split(r"[\s._+-]+", text.partition("@")[0]) if p]
        words += [text, *parts]
        for first, second in itertools.pairwise(parts):
            words += [first + second, second + first]
        if len(parts) > 2:
            words.append("".join(parts))
    return list(dict.fromkeys(words))


def init_app(app: Flask) -> None:
    hasher = app.extensions["password_hasher"] = PasswordHasher(
        time_cost=app.config["PASSWORD_TIME_COST"],
        memory_cost=app.config["PASSWORD_MEMORY_COST"],
    )
    app.extensions["password_dummy_hash"] = hasher.hash("not a real password")


def _hasher() -> PasswordHasher:
    return current_app.extensions["password_hasher"]


def set_password(user: User, password: str) -> None:
    user.password_hash = _hasher().hash(password)


def hash_parameters(user: User):
    """The cost a stored hash was made with (argon2's own record, read back from the hash)."""
    if user.password_hash is None:
        raise ValueError(f"{user.email} has no password yet")
    return extract_parameters(user.password_hash)


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
    """Verify against a throwaway hash, so a sign-in for an unknown email, or an invited
    account with no password yet, takes as long as one with a password: one verification
    at the same cost, never a hash made on the way (that took as long again)."""
    hasher = _hasher()
    dummy = current_app.extensions["password_dummy_hash"]
    try:
        hasher.verify(dummy, password)
    except (VerificationError, InvalidHashError):
        pass
