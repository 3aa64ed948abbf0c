"""Applying to a published posting through the public form, and what staff see of it."""

import io
import os
import re
import threading
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from conftest import settle
from mailserver import body
from portal.extensions import db
from portal.jobs.applications import ResumeRefused, resume_kind
from portal.jobs.posting import publish
from portal.models import (
    Application,
    Candidate,
    EmployerSize,
    Job,
    JobPosting,
    OutboxEmail,
    PayPer,
    Resume,
    Role,
    RoleSought,
    User,
)
from portal.public import routes as public_routes

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def docx(
    main_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
            f'ContentType="{main_type}"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


@pytest.fixture(autouse=True)
def no_minimum_fill_time(monkeypatch):
    """People take seconds to fill the form in; the tests do not (one test puts it back)."""
    monkeypatch.setattr(public_routes, "MIN_FILL_SECONDS", 0)


@pytest.fixture
def posting(app, make):
    """A published posting owned by a recruiter."""
    owner = make.user(Role.RECRUITER, name="Priya Owner", email="priya@example.com")
    employer = make.employer(name="Harrowgate Quill LLP")
    job = make.job(employer, title="Litigation law clerk", location="Toronto")
    with app.app_context():
        row = db.session.get(Job, job.id)
        row.recruiter_id, row.description = owner.id, "Draft pleadings."
        row.employer_size, row.uses_ai, row.existing_vacancy = EmployerSize.COVERED, False, True
        row.pay_per, row.pay_low, row.pay_high = PayPer.YEAR, 60_000, 70_000
        row.closes_on = datetime.now(UTC).date() + timedelta(days=20)
        admin = make.user(Role.ADMIN)
        publish(row, db.session.get(User, admin.id), datetime.now(UTC))
        db.session.commit()
    job.owner = owner
    return job


def form_of(client, job_id: int) -> dict:
    page = client.get(f"/apply/{job_id}")
    assert page.status_code == 200
    started = re.search(
        r'name="started" type="hidden" value="([^"]+)"', page.get_data(as_text=True)
    )
    return {
        "name": "Marisol Quintero",
        "email": "Marisol.Q@example.com",
        "phone": "416-555-0199",
        "role_sought": RoleSought.LAW_CLERK.value,
        "message": "I can start in two weeks.",
        "consent": "y",
        "website": "",
        "started": started.group(1),
    }


def send(client, job_id: int, resume=None, **changes):
    """Post the form as a browser does, multipart, built in memory (the test client would
    spool a large body to a temporary file it leaves open)."""
    data = {**form_of(client, job_id), **changes}
    if resume is not None:
        data["resume"] = FileStorage(io.BytesIO(resume[0]), filename=resume[1])
    boundary, payload = encode_multipart(MultiDict(data))
    return client.post(
        f"/apply/{job_id}",
        data=payload,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_an_applicant_applies_and_the_recruiter_finds_them_with_the_resume(
    app, client, posting, mailbox, login_as, make
):
    page = client.get(f"/apply/{posting.id}").get_data(as_text=True)
    assert "Apply: Litigation law clerk" in page and "$60,000–$70,000 a year" in page
    assert "Artificial intelligence is not used" in page
    response = send(client, posting.id, resume=(PDF, "Mon CV (2026).pdf"))
    assert response.status_code == 303
    assert response.location.endswith(f"/apply/{posting.id}/sent")
    assert "Your application for Litigation law clerk is with us" in client.get(
        response.location
    ).get_data(as_text=True)

    with app.app_context():
        candidate = db.session.scalar(select(Candidate))
        assert (candidate.name, candidate.email) == ("Marisol Quintero", "marisol.q@example.com")
        assert candidate.recruiter_id == posting.owner.id
        application = db.session.scalar(select(Application))
        resume = db.session.scalar(select(Resume))
        assert application.candidate_id == candidate.id and application.job_id == posting.id
        assert (resume.file_name, resume.media_type) == ("Mon CV 2026.pdf", "application/pdf")
        stored = Path(app.config["RESUME_FOLDER"]) / resume.stored_name
        assert stored.read_bytes() == PDF and oct(os.stat(stored).st_mode & 0o777) == "0o600"
        assert re.fullmatch(r"[0-9a-f]{32}\.pdf", resume.stored_name)
        candidate_id, resume_id = candidate.id, resume.id

    [message] = mailbox.to("marisol.q@example.com")
    assert message["Subject"] == "We received your application: Litigation law clerk"
    assert "Thank you for applying for Litigation law clerk (Harrowgate Quill LLP)" in body(message)

    owner = login_as(Role.RECRUITER, user=posting.owner)
    candidate_page = owner.get(f"/candidates/{candidate_id}").get_data(as_text=True)
    assert "Applications" in candidate_page and "I can start in two weeks." in candidate_page
    download = owner.get(f"/candidates/{candidate_id}/resumes/{resume_id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in download.headers["Content-Security-Policy"]
    assert "1" in owner.get("/jobs").get_data(as_text=True)  # the applications column
    job_page = owner.get(f"/jobs/{posting.id}").get_data(as_text=True)
    assert "Marisol Quintero" in job_page and f"/apply/{posting.id}" in job_page

    admin = login_as(Role.ADMIN)
    outbox = admin.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert "Applicant" in outbox and "marisol.q@example.com" in outbox

    # Someone who cannot see the candidate cannot have the file either.
    other = login_as(Role.RECRUITER)
    assert other.get(f"/candidates/{candidate_id}/resumes/{resume_id}").status_code == 404
    assert "Marisol Quintero" not in other.get(f"/jobs/{posting.id}").get_data(as_text=True)


def test_a_known_email_gets_the_same_answer_and_its_record_is_not_changed(
    app, client, posting, make, mailbox
):
    known = make.candidate(posting.owner, name="Real Person", email="taken@example.com")
    answers = []
    for email in ("TAKEN@example.com", "new.person@example.com"):
        response = send(client, posting.id, email=email, name="Someone Else")
        answers.append((response.status_code, response.location))
        answers.append(client.get(response.location).get_data(as_text=True))
    assert answers[0] == answers[2] or answers[0][0] == answers[2][0] == 303
    assert answers[1] == answers[3]
    with app.app_context():
        row = db.session.get(Candidate, known.id)
        assert (row.name, row.email) == ("Real Person", "taken@example.com")
        assert (
            db.session.scalar(
                select(func.count(Application.id)).where(Application.candidate_id == known.id)
            )
            == 1
        )
        assert db.session.scalar(select(func.count(Candidate.id))) == 2
    subjects = {m["Subject"] for m in mailbox.messages if m["To"] != posting.owner.email}
    assert subjects == {"We received your application: Litigation law clerk"}
    # The known candidate's recruiter hears that they applied; nobody hears of the new one.
    told = [m["Subject"] for m in mailbox.messages if m["To"] == posting.owner.email]
    assert told == ["Real Person applied for Litigation law clerk"]
    assert len(mailbox.messages) == 3  # a confirmation each, and the recruiter's


@pytest.mark.parametrize(
    "content, name, accepted",
    [
        (PDF, "resume.pdf", True),
        (docx(), "resume.docx", True),
        (PDF, "resume.docx", True),  # judged by content: a PDF whatever it is called
        (b"MZ\x90\x00 not a document", "resume.pdf", False),
        (b"<html><script>alert(1)</script></html>", "resume.pdf", False),
        (docx("application/vnd.ms-word.document.macroEnabled.main+xml"), "cv.docx", False),
        (b"PK\x03\x04broken zip", "cv.docx", False),
        (b"%PDF-1.4 cut short", "cv.pdf", False),
        (b"", "cv.pdf", False),  # an empty file chosen: said so
        (b"", "", None),  # no file chosen (the browser sends an empty part): no résumé
    ],
)
def test_the_resume_is_judged_by_its_content(app, client, posting, content, name, accepted):
    folder = Path(app.config["RESUME_FOLDER"])
    before = set(folder.iterdir()) if folder.exists() else set()
    response = send(client, posting.id, resume=(content, name))
    if accepted is False:
        assert response.status_code == 422
        assert 'id="resume-error"' in response.get_data(as_text=True)
        assert count(app, Application) == 0 and count(app, Candidate) == 0
        assert (set(folder.iterdir()) if folder.exists() else set()) == before
    else:
        assert response.status_code == 303
        assert count(app, Resume) == (1 if accepted else 0)


def test_size_limits(app, client, posting):
    big = PDF[:-7] + b"0" * (5 * 1024 * 1024) + b"%%EOF\n"
    response = send(client, posting.id, resume=(big, "big.pdf"))
    assert response.status_code == 422
    assert "larger than 5 MB" in response.get_data(as_text=True)
    huge = b"0" * (7 * 1024 * 1024)
    response = send(client, posting.id, resume=(huge, "huge.pdf"))
    assert response.status_code == 413
    assert "a file may be at most 5 MB" in response.get_data(as_text=True)
    assert count(app, Application) == 0


def test_scripts_are_thanked_and_nothing_is_kept(app, client, posting, monkeypatch, mailbox):
    response = send(client, posting.id, website="http://spam.example")
    assert response.status_code == 303 and response.location.endswith("/sent")
    monkeypatch.setattr(public_routes, "MIN_FILL_SECONDS", 3)
    response = send(client, posting.id)  # sent back at once: not a person
    assert response.status_code == 303
    assert count(app, Application) == 0 and count(app, Candidate) == 0
    assert mailbox.messages == []


def test_an_old_or_forged_form_is_shown_again_with_the_reason(app, client, posting):
    response = send(client, posting.id, started="forged")
    assert response.status_code == 422
    assert "The form could not be read; please send it again." in response.get_data(as_text=True)
    assert count(app, Application) == 0


def test_consent_is_required(app, client, posting):
    response = send(client, posting.id, consent="")
    assert response.status_code == 422
    assert "Tick the box to agree" in response.get_data(as_text=True)


def test_one_connection_may_apply_a_few_times_an_hour(app, client, posting):
    for n in range(5):
        assert send(client, posting.id, email=f"person{n}@example.com").status_code == 303
    response = send(client, posting.id, email="person5@example.com")
    assert response.status_code == 429
    assert "Too many applications have come from this connection" in response.get_data(as_text=True)
    assert count(app, Application) == 5
    other = app.test_client()  # another network address is not held back
    data = {**form_of(other, posting.id), "email": "elsewhere@example.com"}
    assert (
        other.post(f"/apply/{posting.id}", data=data, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    ).status_code == 303


def test_only_a_posting_that_is_up_takes_applications(app, client, posting, make, login_as):
    never = make.job(make.employer(), title="Draft only")
    assert client.get(f"/apply/{never.id}").status_code == 404
    assert client.get(f"/apply/{never.id}/sent").status_code == 404  # a draft's title stays in
    assert client.get("/apply/999999").status_code == 404
    owner = login_as(Role.RECRUITER, user=posting.owner)
    owner.post(f"/jobs/{posting.id}/take-down")
    response = client.get(f"/apply/{posting.id}")
    assert response.status_code == 404
    assert "not open for applications" in response.get_data(as_text=True)


def test_erasing_the_candidate_deletes_the_resume_and_the_words(
    app, client, posting, login_as, mailbox
):
    send(client, posting.id, resume=(PDF, "cv.pdf"))
    with app.app_context():
        candidate_id = db.session.scalar(select(Candidate.id))
        stored = Path(app.config["RESUME_FOLDER"]) / db.session.scalar(select(Resume.stored_name))
    assert stored.exists()
    admin = login_as(Role.ADMIN)
    response = admin.post(f"/admin/candidates/{candidate_id}/erase", data={"confirm": "ERASE"})
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    assert not stored.exists()
    with app.app_context():
        assert db.session.scalar(select(func.count(Resume.id))) == 0
        application = db.session.scalar(select(Application))
        assert (application.email, application.message) == ("", "")
        email = db.session.scalar(select(OutboxEmail))
        assert "marisol" not in (email.to_address + email.subject).lower()


def test_the_privacy_notice_is_public(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "Privacy notice for applicants" in page and "24 months" in page


def test_with_the_csrf_check_on_a_large_resume_goes_through(app, posting):
    """The CSRF check reads the form before the view: the body limit of a form that takes
    a file must be raised before it, or a résumé over 1 MB would be refused."""
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        page = client.get(f"/apply/{posting.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        large = PDF[:-7] + b"0" * (2 * 1024 * 1024) + b"%%EOF\n"
        response = send(client, posting.id, resume=(large, "cv.pdf"), csrf_token=token)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        refused = send(client, posting.id, csrf_token="forged")
        assert refused.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert count(app, Resume) == 1


def test_a_person_who_corrects_the_form_quickly_is_not_taken_for_a_script(
    app, client, posting, monkeypatch
):
    """The clock runs from the first showing of the form, not from the page that asked for
    a correction; that page asks for the file again (a page cannot keep it)."""
    monkeypatch.setattr(public_routes, "MIN_FILL_SECONDS", 3)
    data = form_of(client, posting.id)
    # As if the form had been open a minute: a token signed 60 s ago.
    with app.app_context(), monkeypatch.context() as clock:
        clock.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 60)
        data["started"] = public_routes._clock().dumps(posting.id)
    boundary, payload = encode_multipart(
        MultiDict({**data, "consent": "", "resume": FileStorage(io.BytesIO(PDF), filename="a.pdf")})
    )
    first = client.post(
        f"/apply/{posting.id}",
        data=payload,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert first.status_code == 422
    page = first.get_data(as_text=True)
    assert "Choose your résumé again" in page
    started = re.search(r'name="started" type="hidden" value="([^"]+)"', page).group(1)
    assert started == data["started"]  # the same clock
    second = client.post(f"/apply/{posting.id}", data={**data, "consent": "y"})
    assert second.status_code == 303 and count(app, Application) == 1


def test_two_first_applications_from_one_address_at_once_make_one_candidate(
    app, client, posting, make, monkeypatch
):
    """The second finds no candidate, then meets the first's on inserting: tried again, it
    lands on that candidate, with its résumé file written once."""
    from portal.jobs import applications

    make.candidate(posting.owner, name="First In", email="race@example.com")
    real = applications.known_candidate
    calls = []

    def blind_once(email):
        calls.append(email)
        return None if len(calls) == 1 else real(email)

    monkeypatch.setattr(applications, "known_candidate", blind_once)
    folder = Path(app.config["RESUME_FOLDER"])
    before = set(folder.iterdir()) if folder.exists() else set()
    response = send(client, posting.id, email="race@example.com", resume=(PDF, "cv.pdf"))
    assert response.status_code == 303 and len(calls) == 2
    with app.app_context():
        assert db.session.scalar(select(func.count(Candidate.id))) == 1
        assert db.session.scalar(select(func.count(Application.id))) == 1
    assert len(set(folder.iterdir()) - before) == 1  # the first try's file was removed


def test_pages_with_postings_and_applications_ask_a_fixed_number_of_queries(
    app, client, posting, login_as, make, count_queries
):
    """The job's page, the jobs list, the candidate's page and the form: as many queries
    with one version and one application as with many."""
    owner = login_as(Role.RECRUITER, user=posting.owner)
    admin = login_as(Role.ADMIN)

    def grow(n: int) -> int:
        for _ in range(n):
            owner.post(f"/jobs/{posting.id}/publish")  # a new version (nothing changed: allowed)
            send(
                client,
                posting.id,
                email=f"p{count(app, Application)}@example.com",
                resume=(PDF, "cv.pdf"),
            )
            make.job(make.employer(), title="Another clerk")
        settle()  # the confirmations have gone: the sender's queries are not the pages'
        with app.app_context():
            return db.session.scalar(select(Candidate.id).order_by(Candidate.id))

    def measure(candidate_id: int) -> list[int]:
        counts = []
        for who, url in (
            (owner, f"/jobs/{posting.id}"),
            (owner, "/jobs"),
            (admin, f"/candidates/{candidate_id}"),
            (client, f"/apply/{posting.id}"),
        ):
            with count_queries() as counter:
                assert who.get(url).status_code == 200, url
            counts.append(counter.count)
        return counts

    first = grow(1)
    small = measure(first)
    grow(4)
    assert measure(first) == small


def _patched(data: bytes, **fields) -> bytes:
    """The zip with the first entry's flag bits or compression method changed, in its
    local header and in the central directory (what a hand-made hostile file does)."""
    out = bytearray(data)
    central = out.index(b"PK\x01\x02")
    for name, (local, central_offset) in {"flags": (6, 8), "method": (8, 10)}.items():
        if name in fields:
            out[local : local + 2] = fields[name].to_bytes(2, "little")
            out[central + central_offset : central + central_offset + 2] = fields[name].to_bytes(
                2, "little"
            )
    return bytes(out)


def _docx_with(types_xml: bytes, extra: dict | None = None, compression=zipfile.ZIP_DEFLATED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        archive.writestr("[Content_Types].xml", types_xml)
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return out.getvalue()


MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO = b"application/vnd.ms-word.document.macroEnabled.main+xml"


@pytest.mark.parametrize(
    "make_file",
    [
        # Unpacks to 40 MB of spaces: read no further than a quarter megabyte, and refused.
        lambda: _docx_with(b" " * (40 * 1024 * 1024)),
        lambda: _patched(_docx_with(b"<Types/>"), flags=1),  # "encrypted": a password asked
        lambda: _patched(_docx_with(b"<Types/>"), method=99),  # a method nobody implements
        lambda: _docx_with(b"<Types/>")[:60] + b"\xff" * 40 + _docx_with(b"<Types/>")[100:],
        # The plain type in a comment, the macro type for real.
        lambda: _docx_with(
            b'<Types><!-- <Override PartName="/word/document.xml" ContentType="'
            + MAIN
            + b'"/> --><Override PartName="/word/document.xml" ContentType="'
            + MACRO
            + b'"/></Types>'
        ),
        lambda: _docx_with(
            b'<Types><Override PartName="/word/document.xml" ContentType="' + MAIN + b'"/></Types>',
            extra={"word/vbaProject.bin": b"macros"},
        ),
    ],
    ids=["unpacks-huge", "encrypted", "unknown-method", "corrupt", "comment-trick", "macros"],
)
def test_hostile_word_files_are_refused_quickly_and_never_a_500(app, client, posting, make_file):
    data = make_file()
    started = time.perf_counter()
    with pytest.raises(ResumeRefused):
        resume_kind(data)
    assert time.perf_counter() - started < 1
    response = send(client, posting.id, resume=(data, "cv.docx"))
    assert response.status_code == 422
    assert "Send your résumé as a PDF or a Word document" in response.get_data(as_text=True)


def test_a_plain_word_document_with_its_attributes_in_any_order_is_taken():
    xml = (
        b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b"content-types\"><Override ContentType='" + MAIN + b"' PartName='/word/document.xml'/>"
        b"</Types>"
    )
    assert resume_kind(_docx_with(xml))[1] == ".docx"


def test_applications_sent_at_the_same_moment_do_not_slip_under_the_limit(app, posting):
    """Eight people behind one address press send together: five get through."""
    clients = [app.test_client() for _ in range(8)]
    forms = [
        {**form_of(c, posting.id), "email": f"burst{n}@example.com"} for n, c in enumerate(clients)
    ]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def press(client, data):
        barrier.wait()
        statuses.append(client.post(f"/apply/{posting.id}", data=data).status_code)

    threads = [
        threading.Thread(target=press, args=pair) for pair in zip(clients, forms, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [303] * 5 + [429] * 3
    assert count(app, Application) == 5


def test_one_address_gets_at_most_three_confirmations_a_day(app, posting, mailbox):
    for n in range(4):
        client = app.test_client()
        data = {**form_of(client, posting.id), "email": "same@example.com"}
        response = client.post(
            f"/apply/{posting.id}", data=data, environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"}
        )
        assert response.status_code == 303
    assert count(app, Application) == 4  # every application is kept
    assert len(mailbox.to("same@example.com")) == 3


def test_the_forms_token_lasts_as_long_as_the_application_form(app):
    from portal.jobs.applications import MAX_FORM_AGE

    assert app.config["WTF_CSRF_TIME_LIMIT"] >= MAX_FORM_AGE.total_seconds()


def test_a_posting_that_closes_while_the_form_is_being_sent_takes_nothing(
    app, client, posting, monkeypatch
):
    """The posting is read again under the lock that guards the writing."""
    real = public_routes.write_lock

    def closing_meanwhile(number):
        real(number)
        db.session.execute(
            JobPosting.__table__.update()
            .where(JobPosting.job_id == posting.id)
            .values(taken_down_at=datetime.now(UTC))
        )

    monkeypatch.setattr(public_routes, "write_lock", closing_meanwhile)
    response = send(client, posting.id)
    assert response.status_code == 404
    assert "not open for applications" in response.get_data(as_text=True)
    assert count(app, Application) == 0


def test_an_old_posting_with_applications_can_go_in_the_retention_review(
    app, client, posting, login_as
):
    send(client, posting.id)
    with app.app_context():
        table = JobPosting.__table__
        db.session.execute(
            table.update().values(taken_down_at=datetime.now(UTC) - timedelta(days=3 * 366 + 2))
        )
        db.session.commit()
        posting_id = db.session.scalar(select(JobPosting.id))
    admin = login_as(Role.ADMIN)
    assert admin.post(f"/admin/retention/postings/{posting_id}/delete").status_code == 303
    with app.app_context():
        application = db.session.scalar(select(Application))
        assert application.posting_id is None and application.job_id == posting.id
