"""What an import reads from each column: the fields of candidates, employers and jobs,
and the header names (in English or French, in any order) each is recognised by."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..models import CandidateStatus, EmployerKind, JobStatus, PreferredChannel, RoleSought
from ..models.search import fold as search_fold


def fold(text: str) -> str:
    """Search's folding (case and accents gone), punctuation gone too: how headers, names
    and choices are compared ("Prénom" and "prenom" are one)."""
    return " ".join(re.sub(r"[^\w]+|_", " ", search_fold(text)).split())


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    required: bool = False
    names: tuple[str, ...] = ()  # header names it is recognised by (folded when compared)
    hint: str = ""


CANDIDATE_FIELDS = (
    Field("name", "Full name", True, ("name", "full name", "candidate", "candidate name",
          "nom", "nom complet", "candidat", "candidate full name")),
    Field("first_name", "First name", False, ("first name", "given name", "first", "prenom",
          "forename"), "joined with the last name when there is no full name"),
    Field("last_name", "Last name", False, ("last name", "surname", "family name", "last",
          "nom de famille")),
    Field("email", "Email", True, ("email", "e mail", "email address", "e mail address",
          "courriel", "adresse courriel", "adresse electronique", "mail")),
    Field("phone", "Phone", False, ("phone", "phone number", "telephone", "tel", "mobile",
          "cell", "cell phone", "cellulaire", "numero de telephone")),
    Field("role_sought", "Role sought", False, ("role sought", "role", "position",
          "position sought", "poste", "poste recherche", "role recherche", "job sought"),
          "legal assistant, law clerk, paralegal, legal secretary or conveyancer"),
    Field("status", "Status", False, ("status", "statut"), "active, on hold, placed or inactive"),
    Field("city", "City", False, ("city", "ville", "town", "municipality", "municipalite")),
    Field("notes", "Notes", False, ("notes", "note", "comments", "comment", "remarks",
          "remarques", "commentaires")),
    Field("recruiter", "Recruiter", False, ("recruiter", "recruiter email", "assigned to",
          "recruteur", "recruteuse", "recruteur courriel", "conseiller", "conseillere"),
          "the recruiter's email or name, as on their account"),
)  # fmt: skip

EMPLOYER_FIELDS = (
    Field("name", "Name", True, ("name", "employer", "employer name", "firm", "firm name",
          "company", "organisation", "organization", "nom", "employeur", "cabinet",
          "entreprise")),
    Field("kind", "Kind", False, ("kind", "type", "employer type", "genre"),
          "law firm or legal department"),
    Field("preferred_channel", "Preferred contact channel", False, ("preferred channel",
          "preferred contact channel", "contact channel", "channel", "canal", "canal prefere"),
          "email, phone or handwritten note"),
    Field("city", "City", False, ("city", "ville", "town")),
    Field("notes", "Notes", False, ("notes", "note", "comments", "remarques", "commentaires")),
)  # fmt: skip

JOB_FIELDS = (
    Field("title", "Title", True, ("title", "job title", "position", "job", "titre",
          "titre du poste", "poste")),
    Field("employer", "Employer", True, ("employer", "employer name", "firm", "company",
          "employeur", "cabinet", "entreprise"), "an employer already in the portal, by name"),
    Field("practice_area", "Practice area", True, ("practice area", "area", "practice",
          "domaine", "domaine de pratique", "secteur")),
    Field("location", "Location", False, ("location", "city", "office", "lieu", "ville")),
    Field("status", "Status", False, ("status", "statut"), "open, filled or closed"),
    Field("recruiter", "Recruiter", False, ("recruiter", "recruiter email", "recruteur",
          "recruteuse"), "the recruiter's email or name, as on their account"),
)  # fmt: skip

KINDS: dict[str, tuple[Field, ...]] = {
    "candidates": CANDIDATE_FIELDS,
    "employers": EMPLOYER_FIELDS,
    "jobs": JOB_FIELDS,
}
KIND_LABELS = {"candidates": "Candidates", "employers": "Employers", "jobs": "Jobs"}


def fields_of(kind: str) -> dict[str, Field]:
    return {f.key: f for f in KINDS[kind]}


def recognise(headers: tuple[str, ...], kind: str) -> list[str]:
    """For each column, the field its header names ("" when none); a field is taken by
    the first column that names it."""
    by_name = {fold(name): f.key for f in KINDS[kind] for name in (f.key, f.label, *f.names)}
    taken: set[str] = set()
    mapping = []
    for header in headers:
        key = by_name.get(fold(header), "")
        if key in taken:
            key = ""
        taken.add(key)
        mapping.append(key)
    return mapping


def missing(mapping: list[str], kind: str) -> list[Field]:
    """Required fields no column gives (a full name may come as first and last names)."""
    given = set(mapping)
    if "first_name" in given and "last_name" in given:
        given.add("name")
    return [f for f in KINDS[kind] if f.required and f.key not in given]


# Choices as people write them in a spreadsheet, English or French, folded.
CHOICE_WORDS: dict[str, dict[str, object]] = {
    "role_sought": {
        **{fold(r.label): r for r in RoleSought},
        **{fold(r.value): r for r in RoleSought},
        "assistant": RoleSought.LEGAL_ASSISTANT,
        "adjoint juridique": RoleSought.LEGAL_ASSISTANT,
        "adjointe juridique": RoleSought.LEGAL_ASSISTANT,
        "assistant juridique": RoleSought.LEGAL_ASSISTANT,
        "assistante juridique": RoleSought.LEGAL_ASSISTANT,
        "clerk": RoleSought.LAW_CLERK,
        "technicien juridique": RoleSought.LAW_CLERK,
        "technicienne juridique": RoleSought.LAW_CLERK,
        "parajuriste": RoleSought.PARALEGAL,
        "secretary": RoleSought.LEGAL_SECRETARY,
        "secretaire juridique": RoleSought.LEGAL_SECRETARY,
        "real estate clerk": RoleSought.CONVEYANCER,
        "conveyancing clerk": RoleSought.CONVEYANCER,
    },
    "status": {
        **{fold(s.label): s for s in CandidateStatus},
        **{fold(s.value): s for s in CandidateStatus},
        "active": CandidateStatus.ACTIVE,
        "actif": CandidateStatus.ACTIVE,
        "active e": CandidateStatus.ACTIVE,
        "en attente": CandidateStatus.ON_HOLD,
        "hold": CandidateStatus.ON_HOLD,
        "place": CandidateStatus.PLACED,
        "placee": CandidateStatus.PLACED,
        "inactif": CandidateStatus.INACTIVE,
        "inactive": CandidateStatus.INACTIVE,
    },
    "job_status": {
        **{fold(s.label): s for s in JobStatus},
        "ouvert": JobStatus.OPEN,
        "ouverte": JobStatus.OPEN,
        "pourvu": JobStatus.FILLED,
        "pourvue": JobStatus.FILLED,
        "ferme": JobStatus.CLOSED,
        "fermee": JobStatus.CLOSED,
    },
    "kind": {
        **{fold(k.label): k for k in EmployerKind},
        "firm": EmployerKind.LAW_FIRM,
        "cabinet": EmployerKind.LAW_FIRM,
        "cabinet d avocats": EmployerKind.LAW_FIRM,
        "in house": EmployerKind.LEGAL_DEPARTMENT,
        "service juridique": EmployerKind.LEGAL_DEPARTMENT,
    },
    "preferred_channel": {
        **{fold(c.label): c for c in PreferredChannel},
        **{fold(c.value): c for c in PreferredChannel},
        "courriel": PreferredChannel.EMAIL,
        "telephone": PreferredChannel.PHONE,
        "handwritten": PreferredChannel.HANDWRITTEN,
        "note": PreferredChannel.HANDWRITTEN,
        "note manuscrite": PreferredChannel.HANDWRITTEN,
    },
}
