"""Drafts of the candidate's thank-you and follow-up notes, written from an interview's facts.

Pure Python, no Flask and no database: ``write_draft`` takes a ``DraftFacts`` and returns a
``Draft`` of plain text. The page escapes the text when it shows it, so nothing is escaped
here; names and titles are only tidied (whitespace collapsed, line breaks flattened) so that
a stray newline typed by a recruiter cannot split a salutation or a subject line.

The wording follows habits 2 and 3 of docs/policy.md: a prompt, brief thank-you with one detail
from the conversation, and one courteous follow-up that mentions the date the employer gave
(or the day of the interview) without remarking on any silence.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..followup import StepKind

KINDS = ("thank_you", "follow_up")
# The drafts' addresses: /…/drafts/thank-you and /…/drafts/follow-up.
KIND_SLUGS = {"thank-you": StepKind.THANK_YOU, "follow-up": StepKind.FOLLOW_UP}
SLUG_OF = {kind: slug for slug, kind in KIND_SLUGS.items()}
CHANNELS = ("email", "handwritten", "phone")

# The one blank a draft may contain; the candidate page tells them to replace it.
DETAIL_BLANK = "[one thing you discussed]"

# A salutation naming more people than this reads like a distribution list.
MAX_SALUTATION_NAMES = 3

# " and " only between words, so "Anderson" or "Rand" are never split.
_NAME_SEPARATORS = re.compile(r"[,;&]|\s+and\s+", re.IGNORECASE)

# Spelled out rather than strftime("%A"), which follows the server's locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class DraftFacts:
    """What the recruiter recorded about one interview, as plain values."""

    candidate_name: str
    candidate_phone: str | None
    interviewer_names: str
    employer_name: str
    position: str | None
    interview_day: date
    timeline: str
    decision_date: date | None


@dataclass(frozen=True)
class Draft:
    """One ready-to-adapt note: plain text, paragraphs separated by one blank line."""

    kind: str
    channel: str
    subject: str | None
    body: str


@dataclass(frozen=True)
class _Note:
    """The facts tidied into the phrases every draft is built from."""

    candidate: str
    phone: str
    names: str
    employer: str
    position: str
    met_on: str
    decide_by: str | None

    @property
    def addressee(self) -> str:
        """Who the note is to: the interviewers, or the firm's hiring team."""
        if self.names:
            return self.names
        return f"hiring team at {self.employer}" if self.employer else "hiring team"

    @property
    def role(self) -> str:
        """'the X role at Firm', falling back to 'the role' when no job is linked."""
        role = f"the {self.position} role" if self.position else "the role"
        return f"{role} at {self.employer}" if self.employer else role


def one_line(text: str | None) -> str:
    """Collapse runs of whitespace, line breaks included, into single spaces."""
    return " ".join((text or "").split())


def salutation_names(interviewer_names: str) -> list[str]:
    """The interviewers' names from the recruiter's free text, in order, at most three."""
    # Padded so a stray leading or trailing "and" is read as a separator, not a name.
    padded = f" {one_line(interviewer_names)} "
    pieces = (piece.strip() for piece in _NAME_SEPARATORS.split(padded))
    return [piece for piece in pieces if piece][:MAX_SALUTATION_NAMES]


def join_names(names: list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def day_words(day: date, reference_year: int) -> str:
    """'Friday, December 4', with the year only when it is not the interview's year."""
    words = f"{_WEEKDAYS[day.weekday()]}, {_MONTHS[day.month - 1]} {day.day}"
    return words if day.year == reference_year else f"{words}, {day.year}"


def _note(facts: DraftFacts) -> _Note:
    year = facts.interview_day.year
    # A decision date counts only when the recruiter recorded that one was given.
    given = facts.decision_date if facts.timeline == "date_given" else None
    return _Note(
        candidate=one_line(facts.candidate_name),
        phone=one_line(facts.candidate_phone),
        names=join_names(salutation_names(facts.interviewer_names)),
        employer=one_line(facts.employer_name),
        position=one_line(facts.position),
        met_on=day_words(facts.interview_day, year),
        decide_by=day_words(given, year) if given is not None else None,
    )


def _paragraphs(*paragraphs: str) -> str:
    return "\n\n".join(paragraph for paragraph in paragraphs if paragraph)


def _signature(note: _Note, closing: str) -> str:
    """The closing line, then the name with the phone number on the line under it."""
    block = "\n".join(line for line in (note.candidate, note.phone) if line)
    return _paragraphs(closing, block)


def _phone_opening(note: _Note) -> str:
    who = note.names or f"the {note.addressee}"
    if note.candidate:
        return f"Hello, this is {note.candidate} calling for {who}."
    return f"Hello, I'm calling for {who}."


def _phone_closing(note: _Note) -> str:
    # On a call the number is said aloud, for a voicemail or a busy receptionist.
    reach = f"I can be reached at {note.phone}. " if note.phone else ""
    return f"{reach}Thank you for your time, and have a good day."


def _thank_you_email(note: _Note) -> str:
    return _paragraphs(
        f"Dear {note.addressee},",
        f"Thank you for meeting with me to talk about {note.role} on {note.met_on}. "
        "I appreciated the time you set aside for the conversation.",
        f"I especially enjoyed discussing {DETAIL_BLANK}, and it gave me a clearer "
        "picture of the work and the team.",
        "I am very interested in the role and would be glad to provide anything "
        "else that would help with your decision.",
        _signature(note, "Best regards,"),
    )


def _thank_you_handwritten(note: _Note) -> str:
    return _paragraphs(
        f"Dear {note.addressee},",
        f"Thank you for meeting with me about {note.role} on {note.met_on}. "
        f"Our conversation about {DETAIL_BLANK} made me all the more keen to join the team.",
        _signature(note, "With appreciation,"),
    )


def _thank_you_phone(note: _Note) -> str:
    return _paragraphs(
        _phone_opening(note),
        f"I'm calling to thank you for meeting with me about {note.role} on {note.met_on}.",
        f"I really enjoyed our conversation, particularly about {DETAIL_BLANK}, "
        "and I am very interested in the role.",
        _phone_closing(note),
    )


def _timing(note: _Note) -> str:
    """The neutral reference to timing: the date they gave, or else the day we met."""
    if note.decide_by:
        return (
            f"When we met about {note.role} on {note.met_on}, you mentioned you "
            f"expected to decide by {note.decide_by}."
        )
    return f"Thank you again for meeting with me about {note.role} on {note.met_on}."


def _follow_up_email(note: _Note) -> str:
    return _paragraphs(
        f"Dear {note.addressee},",
        f"I hope all is going smoothly. {_timing(note)}",
        "I am writing to check in on how the process is going. I remain very interested "
        "in the role and would be happy to send anything further that would be useful.",
        _signature(note, "Many thanks,"),
    )


def _follow_up_handwritten(note: _Note) -> str:
    return _paragraphs(
        f"Dear {note.addressee},",
        f"{_timing(note)} I am checking in on how the process is going, and I remain "
        "very interested in the role.",
        _signature(note, "With best wishes,"),
    )


def _follow_up_phone(note: _Note) -> str:
    return _paragraphs(
        _phone_opening(note),
        _timing(note),
        "I'm calling to check in on how the process is going. I remain very interested "
        "in the role.",
        _phone_closing(note),
    )


def _thank_you_subject(note: _Note) -> str:
    if note.position:
        return f"Thank you: {note.position} interview"
    return f"Thank you for the interview on {note.met_on}"


def _follow_up_subject(note: _Note) -> str:
    if note.position:
        return f"Following up: {note.position}"
    return f"Following up: our interview on {note.met_on}"


_BODIES: dict[tuple[str, str], Callable[[_Note], str]] = {
    ("thank_you", "email"): _thank_you_email,
    ("thank_you", "handwritten"): _thank_you_handwritten,
    ("thank_you", "phone"): _thank_you_phone,
    ("follow_up", "email"): _follow_up_email,
    ("follow_up", "handwritten"): _follow_up_handwritten,
    ("follow_up", "phone"): _follow_up_phone,
}
_SUBJECTS: dict[str, Callable[[_Note], str]] = {
    "thank_you": _thank_you_subject,
    "follow_up": _follow_up_subject,
}


def write_draft(kind: str, channel: str, facts: DraftFacts) -> Draft:
    """The candidate's note of this kind for this channel, written from the interview's facts."""
    if kind not in KINDS:
        raise ValueError(f"unknown draft kind {kind!r}: expected one of {', '.join(KINDS)}")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}: expected one of {', '.join(CHANNELS)}")
    note = _note(facts)
    subject = _SUBJECTS[kind](note) if channel == "email" else None
    return Draft(kind=kind, channel=channel, subject=subject, body=_BODIES[kind, channel](note))
