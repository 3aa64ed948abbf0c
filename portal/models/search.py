"""Search that finds people as they are written in Toronto: case, accents and word order do
not matter, phone numbers match however they are typed.

Each searchable table keeps a ``search_text`` column: its words folded (lower case, accents
taken off, "ø" read as "o") and a phone's digits, written by the model whenever the row is
(``keep_search_text``). A search folds what was typed the same way, and every word of it must
appear in that column (``matches_all``): the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, and_, event, or_, true

# Letters that do not decompose into a base letter and an accent.
SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l", "ı": "i", "þ": "th", "ð": "d"}
)
PHONE_RE = re.compile(r"^[\d\s().+-]{7,}$")
SEARCH_TEXT_LENGTH = 600


def fold(text: str | None) -> str:
    """Lower case, accents taken off, spaces collapsed: "Zoë NGUYỄN" → "zoe nguyen"."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.translate(SPECIAL_LETTERS).split())


def phone_digits(text: str | None) -> str:
    """A North American number's ten digits, whatever it was written with: +1, spaces,
    dashes, brackets. Other numbers keep all their digits."""
    digits = re.sub(r"\D", "", text or "")
    return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


def search_text(*words: str | None, phone: str | None = None) -> str:
    """The value of a ``search_text`` column."""
    text = " ".join(filter(None, (fold(w) for w in words)))
    digits = phone_digits(phone)
    return (f"{text} {digits}" if digits else text)[:SEARCH_TEXT_LENGTH]


def search_terms(typed: str) -> list[str]:
    """What a search looks for: a phone number as its digits, else each word, folded."""
    if PHONE_RE.match(typed.strip()) and len(phone_digits(typed)) >= 7:
        return [phone_digits(typed)]
    return fold(typed).split()


def _like(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def matches_all(typed: str, *columns: Any) -> ColumnElement[bool]:
    """Every term of ``typed`` appears in one of the ``search_text`` columns."""
    terms = search_terms(typed)
    if not terms:
        return true()
    return and_(
        *(or_(*(column.like(_like(term), escape="\\") for column in columns)) for term in terms)
    )


def keep_search_text(model: type, compute: Callable[[Any], str]) -> None:
    """Have ``model`` write its ``search_text`` with ``compute(row)`` whenever it is saved."""

    def write(mapper: Any, connection: Any, target: Any) -> None:
        target.search_text = compute(target)

    for when in ("before_insert", "before_update"):
        event.listen(model, when, write)
