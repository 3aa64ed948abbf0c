"""Likely duplicate candidates: the same person arrived twice (a new email, a typo, an
applicant already on file). Two records are likely one person when they share an email
(compared without case), a phone number (however written), or a name (ignoring case,
accents and word order) together with the same city or a close email. A pair is
flagged, never refused: people decide, with "not the same person" or a merge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, func, or_, select

from ..extensions import db
from ..models import Candidate, DuplicatePair, User
from ..models.agency import name_key, phone_key
from ..models.search import fold

REASONS = {
    "email": "the same email",
    "phone": "the same phone number",
    "name_city": "the same name and city",
    "name_email": "the same name and a close email",
}


@dataclass(frozen=True)
class Person:
    """What duplicates are judged by, for a saved candidate or one about to be, with its
    keys worked out once (an import compares each row with many)."""

    name: str
    email: str
    phone: str = ""
    city: str = ""
    id: int | None = None
    email_key: str = field(init=False, repr=False, compare=False)
    phone_key: str = field(init=False, repr=False, compare=False)
    name_key: str = field(init=False, repr=False, compare=False)
    city_key: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "email_key", self.email.lower())
        object.__setattr__(self, "phone_key", phone_key(self.phone))
        object.__setattr__(self, "name_key", name_key(self.name))
        object.__setattr__(self, "city_key", fold(self.city))

    @classmethod
    def of(cls, candidate: Candidate) -> Person:
        return cls(candidate.name, candidate.email, candidate.phone, candidate.city, candidate.id)


def close_emails(one: str, other: str) -> bool:
    """Two different addresses one slip apart: the same name at another domain, or at most
    two letters changed, added or left out."""
    one, other = one.lower(), other.lower()
    if one == other or not one or not other:
        return False
    if one.split("@")[0] == other.split("@")[0]:
        return True
    return _within_two_edits(one, other)


def _within_two_edits(one: str, other: str) -> bool:
    """At most two letters changed, added or left out (what the two share at their start
    and end is set aside first: the rest is a few letters)."""
    if abs(len(one) - len(other)) > 2:
        return False
    start = 0
    while start < min(len(one), len(other)) and one[start] == other[start]:
        start += 1
    end = 0
    while end < min(len(one), len(other)) - start and one[-1 - end] == other[-1 - end]:
        end += 1
    one, other = one[start : len(one) - end], other[start : len(other) - end]
    previous = list(range(len(other) + 1))
    for i, a in enumerate(one, start=1):
        current = [i]
        for j, b in enumerate(other, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        if min(current) > 2:
            return False
        previous = current
    return previous[-1] <= 2


def reasons_between(one: Person, other: Person) -> list[str]:
    """Why the two may be one person (codes of REASONS, in its order); [] if nothing."""
    reasons = []
    if one.email_key and one.email_key == other.email_key:
        reasons.append("email")
    if one.phone_key and one.phone_key == other.phone_key:
        reasons.append("phone")
    if one.name_key and one.name_key == other.name_key:
        if one.city_key and one.city_key == other.city_key:
            reasons.append("name_city")
        if close_emails(one.email_key, other.email_key):
            reasons.append("name_email")
    return reasons


def described(reasons: str | Iterable[str]) -> str:
    codes = reasons.split(",") if isinstance(reasons, str) else list(reasons)
    return ", ".join(REASONS[code] for code in codes if code in REASONS)


def likely_duplicates(person: Person) -> list[tuple[Candidate, list[str]]]:
    """Candidates on file (not erased) who may be ``person``, with the reasons, oldest
    first. One query, on the indexed keys."""
    conditions = [func.lower(Candidate.email) == person.email.lower()]
    if phone_key(person.phone):
        conditions.append(Candidate.phone_key == phone_key(person.phone))
    if name_key(person.name):
        conditions.append(Candidate.name_key == name_key(person.name))
    query = select(Candidate).where(Candidate.erased_at.is_(None), or_(*conditions))
    if person.id is not None:
        query = query.where(Candidate.id != person.id)
    found = []
    for candidate in db.session.scalars(query.order_by(Candidate.id).limit(50)):
        reasons = reasons_between(person, Person.of(candidate))
        if reasons:
            found.append((candidate, reasons))
    return found


def flag(candidate: Candidate, through: str, now: datetime) -> list[DuplicatePair]:
    """Record a pair for each likely duplicate of ``candidate`` (saved, so it has an id)
    not already paired with it; returns the new pairs (flushed by the caller's commit)."""
    pairs = []
    for other, reasons in likely_duplicates(Person.of(candidate)):
        pairs.extend(pair_up(candidate.id, other.id, reasons, through, now))
    return pairs


def pair_up(
    one_id: int, other_id: int, reasons: list[str], through: str, now: datetime
) -> list[DuplicatePair]:
    """A new pair of the two, or nothing if they are paired already (even dismissed)."""
    first, second = sorted((one_id, other_id))
    exists = db.session.scalar(
        select(DuplicatePair.id).where(
            DuplicatePair.first_id == first, DuplicatePair.second_id == second
        )
    )
    if exists is not None:
        return []
    pair = DuplicatePair(
        first_id=first,
        second_id=second,
        reasons=",".join(reasons),
        found_through=through,
        found_at=now,
    )
    db.session.add(pair)
    return [pair]


class Index:
    """Every candidate on file by the keys duplicates are found by, in memory: an import
    of thousands of rows asks it once a row instead of the database."""

    def __init__(self, people: Iterable[Person] = ()):
        self.by_email: dict[str, list[Person]] = defaultdict(list)
        self.by_phone: dict[str, list[Person]] = defaultdict(list)
        self.by_name: dict[str, list[Person]] = defaultdict(list)
        for person in people:
            self.add(person)

    @classmethod
    def on_file(cls) -> Index:
        rows = db.session.execute(
            select(
                Candidate.name, Candidate.email, Candidate.phone, Candidate.city, Candidate.id
            ).where(Candidate.erased_at.is_(None))
        )
        return cls(Person(*row) for row in rows)

    def add(self, person: Person) -> None:
        self.by_email[person.email_key].append(person)
        if person.phone_key:
            self.by_phone[person.phone_key].append(person)
        if person.name_key:
            self.by_name[person.name_key].append(person)

    def matches(self, person: Person) -> list[tuple[Person, list[str]]]:
        seen: dict[int, Person] = {}
        for found in (
            self.by_email.get(person.email_key, []),
            self.by_phone.get(person.phone_key, []) if person.phone_key else [],
            self.by_name.get(person.name_key, []) if person.name_key else [],
        ):
            for other in found:
                if other is not person and id(other) not in seen:
                    seen[id(other)] = other
        out = []
        for other in seen.values():
            reasons = reasons_between(person, other)
            if reasons:
                out.append((other, reasons))
        return out


def pairs_seen_by(user: User):
    """The open pairs this person may see: every pair for an admin; for a recruiter, the
    pairs whose two candidates are both theirs (nobody sees a pair through one record)."""
    first = Candidate.__table__.alias("first_candidate")
    second = Candidate.__table__.alias("second_candidate")
    query = (
        select(DuplicatePair)
        .join(first, first.c.id == DuplicatePair.first_id)
        .join(second, second.c.id == DuplicatePair.second_id)
        .where(
            DuplicatePair.dismissed_at.is_(None),
            first.c.erased_at.is_(None),
            second.c.erased_at.is_(None),
        )
    )
    if not user.is_admin:
        query = query.where(and_(first.c.recruiter_id == user.id, second.c.recruiter_id == user.id))
    return query
