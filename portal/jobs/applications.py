"""Applying to a posting through the public form: the résumé check, where the file goes,
the candidate it lands on, the applicant's confirmation, and the limits that keep the
form from being abused (docs/job-postings.md, "Applications").

The form never says whether an email address is already known: a new address makes a
candidate, a known one adds the application to that candidate (whose record is not
changed by what a stranger typed), and the page and the email read the same either way.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from ..extensions import db
from ..intake.duplicates import flag
from ..intake.phones import phone_or_as_written
from ..models import (
    Application,
    Assignment,
    Candidate,
    CandidateStatus,
    EmailKind,
    Job,
    JobPosting,
    OutboxEmail,
    Resume,
    RoleSought,
)
from ..outbox.emails import row_values, waiting_for_commit

MAX_RESUME_BYTES = 5 * 1024 * 1024
PER_SOURCE_PER_HOUR = 5  # applications from one network address in an hour
SOURCE_WINDOW = timedelta(hours=1)
MIN_FILL_SECONDS = 3  # quicker than a person can fill the form in: a script
MAX_FORM_AGE = timedelta(hours=6)  # the page's token; older, the form is shown again
CONFIRMATIONS_PER_DAY = 3  # to one address; further applications are kept, not confirmed

PDF = ("application/pdf", ".pdf")
DOCX = ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


class ResumeRefused(ValueError):
    """The file is not a résumé the agency accepts; the message says why."""


def resume_kind(data: bytes) -> tuple[str, str]:
    """(media type, extension) of a PDF or a Word (.docx) file, judged by its content, not
    its name; ResumeRefused otherwise. A .docx is opened as the zip it is, reading no
    more than MAX_PART_BYTES of its one part that says what it holds (whatever sizes the
    zip declares, so a small file that unpacks to gigabytes costs nothing)."""
    if len(data) > MAX_RESUME_BYTES:
        raise ResumeRefused("The file is larger than 5 MB; send a smaller one.")
    if not data:
        raise ResumeRefused("The file is empty.")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise ResumeRefused("The PDF looks cut short; save it again and send it.")
        return PDF
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    raise ResumeRefused("Send your résumé as a PDF or a Word document (.docx).")


MAX_PARTS = 2_000  # a Word document has a few dozen
MAX_PART_BYTES = 256 * 1024


def _is_docx(data: bytes) -> bool:
    """A Word document whose main part is a plain document (a macro-enabled one's main
    part has another type, and its macros a part of their own): anything the zip or XML
    readers cannot read is not one."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if len(names) > MAX_PARTS or "word/document.xml" not in names:
                return False
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                return False
            with archive.open("[Content_Types].xml") as part:
                types = part.read(MAX_PART_BYTES + 1)  # reads (and unpacks) no further
    except Exception:  # noqa: BLE001  (a zip that will not read is no résumé)
        return False
    if len(types) > MAX_PART_BYTES:
        return False
    # The part's <Override> elements, read without an XML parser (no entities, no
    # network): comments go first, so a type written in one does not count.
    text = _COMMENT.sub(b"", types)
    main = [
        attributes.get(b"ContentType")
        for attributes in (
            dict(_ATTRIBUTE.findall(tag.group(1))) for tag in _OVERRIDE.finditer(text)
        )
        if attributes.get(b"PartName") == b"/word/document.xml"
    ]
    return main == [_DOCX_MAIN]


_COMMENT = re.compile(rb"<!--.*?-->", re.DOTALL)
_OVERRIDE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Override\b([^>]*)>")
_ATTRIBUTE = re.compile(rb"""([A-Za-z_][\w.-]*)\s*=\s*["']([^"']*)["']""")


def resume_folder() -> Path:
    """Where résumés are kept: outside the web root (the instance folder by default)."""
    folder = Path(current_app.config["RESUME_FOLDER"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def safe_file_name(name: str, extension: str) -> str:
    """The name as sent, reduced to plain characters, for showing and downloading."""
    stem = Path(name or "resume").stem
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "", stem).strip(" .-_")[:80] or "resume"
    return stem + extension


def source_of(address: str) -> str:
    """A keyed hash of the network address: enough to count, nothing to read back."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, f"apply:{address}".encode(), hashlib.sha256).hexdigest()


def source_lock(source: str) -> int:
    """PostgreSQL's advisory lock for one source's applications (a 60-bit number)."""
    return int(source[:15], 16)


def too_many_from(source: str, now: datetime) -> bool:
    recent = db.session.scalar(
        select(func.count(Application.id)).where(
            Application.source == source, Application.created_at > now - SOURCE_WINDOW
        )
    )
    return (recent or 0) >= PER_SOURCE_PER_HOUR


@dataclass(frozen=True)
class Applicant:
    name: str
    email: str
    phone: str
    role_sought: RoleSought
    message: str


def apply(
    job: Job,
    posting: JobPosting,
    applicant: Applicant,
    resume: tuple[bytes, str] | None,
    source: str,
    now: datetime,
) -> Application:
    """Record the application (flushed; the view commits) and queue the confirmation.
    ``resume``: the file's bytes and the name it was sent under, already accepted by
    ``resume_kind``. The file is written before the rows; if the transaction is rolled
    back, the file is removed."""
    candidate, known = _candidate_for(job, applicant, now)
    application = Application(
        job_id=job.id,
        posting_id=posting.id,
        candidate=candidate,
        email=applicant.email,
        message=applicant.message,
        source=source,
        created_at=now,
    )
    db.session.add(application)
    db.session.flush()
    if known:
        _tell_the_recruiter(candidate, application, now)
    else:
        flag(candidate, "application", now)
    if resume is not None:
        data, sent_as = resume
        media_type, extension = resume_kind(data)
        stored = secrets.token_hex(16) + extension
        path = resume_folder() / stored
        with open(path, "xb") as out:  # never over another file
            out.write(data)
        path.chmod(0o600)
        db.session.info.setdefault(UNSAVED, []).append(path)
        db.session.add(
            Resume(
                application_id=application.id,
                candidate_id=candidate.id,
                stored_name=stored,
                file_name=safe_file_name(sent_as, extension),
                media_type=media_type,
                size=len(data),
                uploaded_at=now,
            )
        )
    if _confirmations_to(applicant.email, now) < CONFIRMATIONS_PER_DAY:
        email = OutboxEmail(
            **row_values(
                None, EmailKind.APPLICATION_RECEIVED, f"application-{application.id}", now
            ),
            application_id=application.id,
        )
        db.session.add(email)
        db.session.flush()
        waiting_for_commit(email.id)
    return application


def _confirmations_to(address: str, now: datetime) -> int:
    """Confirmations queued to this address in the last day (someone typing another
    person's address again and again must not fill that person's inbox)."""
    return (
        db.session.scalar(
            select(func.count(OutboxEmail.id))
            .join(Application, Application.id == OutboxEmail.application_id)
            .where(
                OutboxEmail.kind == EmailKind.APPLICATION_RECEIVED,
                func.lower(Application.email) == address.lower(),
                OutboxEmail.created_at > now - timedelta(days=1),
            )
        )
        or 0
    )


UNSAVED = "resumes_unsaved"  # files written in this transaction: removed if it fails
DOOMED = "resumes_doomed"  # files of résumés deleted in this transaction: removed once it commits


def forget_resumes(candidate_id: int) -> None:
    """Delete a candidate's résumés (erasure): the rows now, the files once committed."""
    for resume in db.session.scalars(select(Resume).where(Resume.candidate_id == candidate_id)):
        db.session.info.setdefault(DOOMED, []).append(resume_folder() / resume.stored_name)
        db.session.delete(resume)


@event.listens_for(Session, "after_commit")
def _files_follow_the_commit(session: Session) -> None:
    session.info.pop(UNSAVED, None)
    for path in session.info.pop(DOOMED, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_rollback")
def _files_follow_the_rollback(session: Session) -> None:
    session.info.pop(DOOMED, None)
    for path in session.info.pop(UNSAVED, []):
        path.unlink(missing_ok=True)


def known_candidate(email: str) -> Candidate | None:
    return db.session.scalar(
        select(Candidate).where(
            func.lower(Candidate.email) == email.lower(), Candidate.erased_at.is_(None)
        )
    )


def _tell_the_recruiter(candidate: Candidate, application: Application, now: datetime) -> None:
    """A candidate on file applied: their recruiter hears of it (by email, through the
    outbox), at most CONFIRMATIONS_PER_DAY times a day for one candidate (someone sending
    the form again and again with a known address must not fill the recruiter's inbox)."""
    recruiter = candidate.recruiter
    if recruiter is None or not recruiter.active:
        return
    told = db.session.scalar(
        select(func.count(OutboxEmail.id))
        .join(Application, Application.id == OutboxEmail.application_id)
        .where(
            OutboxEmail.kind == EmailKind.RETURNING_APPLICANT,
            Application.candidate_id == candidate.id,
            OutboxEmail.created_at > now - timedelta(days=1),
        )
    )
    if (told or 0) >= CONFIRMATIONS_PER_DAY:
        return
    email = OutboxEmail(
        **row_values(
            recruiter.id, EmailKind.RETURNING_APPLICANT, f"application-{application.id}", now
        ),
        application_id=application.id,
    )
    db.session.add(email)
    db.session.flush()
    waiting_for_commit(email.id)


def _candidate_for(job: Job, applicant: Applicant, now: datetime) -> tuple[Candidate, bool]:
    """The candidate with this email (True: known), or a new one assigned to the job's
    recruiter (or left for the admins' intake list when the job has none)."""
    known = known_candidate(applicant.email)
    if known is not None:
        return known, True
    candidate = Candidate(
        name=applicant.name,
        email=applicant.email,
        phone=phone_or_as_written(applicant.phone),
        role_sought=applicant.role_sought,
        status=CandidateStatus.ACTIVE,
        recruiter_id=job.recruiter_id,
        notes="",
        city="",
        created_at=now,
        updated_at=now,
    )
    db.session.add(candidate)
    db.session.flush()
    if job.recruiter_id is not None:
        db.session.add(
            Assignment(
                candidate_id=candidate.id,
                recruiter_id=job.recruiter_id,
                started_at=now,
                note=f"Applied to {job.posting_title}",
            )
        )
    return candidate, False
