"""The employer's 45-day duty to tell an interviewed applicant whether a hiring decision has
been made (ESA s. 8.6): shown on the interview page, warned of in the recruiter's digest."""

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mailserver import body
from portal.extensions import db
from portal.models import Candidate, EmployerSize, Interview, JobPosting, Outcome, Role, User
from portal.outbox import delivery

TORONTO = ZoneInfo("America/Toronto")


def toronto(*args) -> datetime:
    return datetime(*args, tzinfo=TORONTO).astimezone(UTC)


def published(app, job, *, covered=True, at=None):
    """A published version of the job's posting (covered or not by Ontario's rules)."""
    with app.app_context():
        db.session.add(
            JobPosting(
                job_id=job.id,
                version=1,
                content={"title": job.title},
                covered=covered,
                published_at=at or toronto(2026, 2, 2, 9, 0),
            )
        )
        db.session.commit()


@pytest.fixture
def hiring(app, make):
    recruiter = make.user(Role.RECRUITER, name="Priya Digest", email="priya@example.com")
    candidate = make.candidate(recruiter, name="Omar Applicant")
    employer = make.employer(name="Halvorsen Quill LLP")
    job = make.job(employer, title="Family law clerk", employer_size=EmployerSize.COVERED)
    published(app, job)
    first = make.interview(candidate, employer, job=job, starts_at=toronto(2026, 3, 2, 10, 0))
    second = make.interview(candidate, employer, job=job, starts_at=toronto(2026, 3, 9, 14, 0))
    return SimpleNamespace(**locals())


def record_outcome(app, interview_id: int, outcome: Outcome, at: datetime) -> None:
    with app.app_context():
        interview = db.session.get(Interview, interview_id)
        interview.outcome, interview.outcome_at = outcome, at
        db.session.commit()


def settle_the_steps(app) -> None:
    """The follow-up steps long done with: only the duty is left to tell of."""
    with app.app_context():
        for interview in db.session.scalars(select(Interview)):
            for step in interview.steps:
                step.result = "waived"
        db.session.commit()


def page_of(login_as, user, interview) -> str:
    client = login_as(Role.RECRUITER, user=user)
    response = client.get(f"/interviews/{interview.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_interview_page_gives_the_employers_deadline_from_the_last_interview(login_as, hiring):
    for interview in (hiring.first, hiring.second):
        page = page_of(login_as, hiring.recruiter, interview)
        assert "the employer must tell Omar Applicant whether a hiring decision" in page
        # 45 days after Monday 9 March, the later interview.
        assert "<strong>Thu 23 Apr 2026</strong>" in page and "Mon 9 Mar 2026" in page


def test_no_deadline_without_a_covered_posting_before_the_interview(app, login_as, make):
    recruiter = make.user(Role.RECRUITER)
    candidate = make.candidate(recruiter)
    employer = make.employer()
    small = make.job(employer, title="Conveyancer")
    published(app, small, covered=False)
    later = make.job(employer, title="Clerk")
    published(app, later, at=toronto(2026, 4, 1, 9, 0))
    unposted = make.job(employer, title="Assistant")
    for job in (small, later, unposted, None):
        interview = make.interview(candidate, employer, job=job, starts_at=toronto(2026, 3, 2))
        assert "must tell" not in page_of(login_as, recruiter, interview)


def test_an_outcome_recorded_ends_the_reminder(app, login_as, hiring):
    record_outcome(app, hiring.second.id, Outcome.REJECTED, toronto(2026, 4, 1, 12, 0))
    assert "must tell" not in page_of(login_as, hiring.recruiter, hiring.first)


def digest_at(app, when, mailbox) -> str | None:
    with app.test_request_context(base_url="http://portal.test"):
        delivery.run(when)
    digests = [m for m in mailbox.messages if m["To"] == "priya@example.com"]
    return body(digests[-1]) if digests else None


def test_the_digest_warns_from_day_40_while_no_outcome_is_recorded(app, hiring, mailbox):
    settle_the_steps(app)
    assert digest_at(app, toronto(2026, 4, 17, 9, 0), mailbox) is None  # day 39
    text = digest_at(app, toronto(2026, 4, 20, 9, 0), mailbox)  # day 42, a Monday
    assert text is not None
    assert mailbox.messages[-1]["Subject"] == (
        "Follow-ups: 1 interview awaiting the employer's answer"
    )
    assert "Employers to remind: Ontario's posting rules give them 45 days" in text
    assert "Halvorsen Quill LLP, Omar Applicant (last interview Mon 9 Mar): 3 days left" in text
    assert f"http://portal.test/interviews/{hiring.second.id}" in text
    assert "follow-up step" not in text  # the queue is empty; only the duty is told

    record_outcome(app, hiring.second.id, Outcome.OFFER, toronto(2026, 4, 20, 12, 0))
    sent = len(mailbox.messages)
    digest_at(app, toronto(2026, 4, 21, 9, 0), mailbox)
    assert len(mailbox.messages) == sent  # answered: nothing more to say


def test_the_digest_respects_the_recruiters_setting(app, hiring, mailbox):
    with app.app_context():
        db.session.get(User, hiring.recruiter.id).digest_emails = False
        db.session.commit()
    assert digest_at(app, toronto(2026, 4, 20, 9, 0), mailbox) is None


def test_the_report_by_employer_gives_the_share_told_within_45_days(app, login_as, make, hiring):
    # Omar's last interview (9 March: deadline 23 April) told on 20 April, in time; Lena's
    # (16 March: deadline 30 April) told on 5 May, late; Ravi's (23 March) never told.
    lena = make.candidate(hiring.recruiter, name="Lena Late")
    ravi = make.candidate(hiring.recruiter, name="Ravi Waiting")
    late = make.interview(lena, hiring.employer, job=hiring.job, starts_at=toronto(2026, 3, 16))
    make.interview(ravi, hiring.employer, job=hiring.job, starts_at=toronto(2026, 3, 23))
    record_outcome(app, hiring.second.id, Outcome.REJECTED, toronto(2026, 4, 20, 12))
    record_outcome(app, late.id, Outcome.REJECTED, toronto(2026, 5, 5, 12))
    client = login_as(Role.RECRUITER, user=hiring.recruiter)
    page = client.get(
        "/reports/compliance?group=employer&start=2026-04-01&end=2026-05-31"
    ).get_data(as_text=True)
    assert "Applicants told within 45 days" in page
    row = page[page.index('id="duty"') :]
    assert "Halvorsen Quill LLP" in row and "1 of 3" in row
    # Another recruiter sees only their own candidates' interviews: none here.
    other = login_as(Role.RECRUITER)
    theirs = other.get("/reports/compliance?group=employer&start=2026-04-01&end=2026-05-31")
    assert "No such deadline fell in this period." in theirs.get_data(as_text=True)
    # Grouped otherwise, the section is not there.
    assert 'id="duty"' not in client.get("/reports/compliance?group=recruiter").get_data(
        as_text=True
    )


def test_the_csv_by_employer_carries_the_45_day_figures(app, login_as, make, hiring):
    record_outcome(app, hiring.second.id, Outcome.REJECTED, toronto(2026, 4, 20, 12))
    client = login_as(Role.RECRUITER, user=hiring.recruiter)
    text = client.get(
        "/reports/compliance.csv?group=employer&start=2026-03-01&end=2026-05-31"
    ).get_data(as_text=True)
    header, *rows = text.strip("\ufeff").splitlines()
    assert header.endswith("Applicants told within 45 days,Of those due")
    (halvorsen,) = [row for row in rows if row.startswith("Halvorsen Quill LLP")]
    assert halvorsen.endswith(",1,1")
    assert rows[-1].startswith("All") and rows[-1].endswith(",1,1")
    plain = client.get("/reports/compliance.csv?group=recruiter").get_data(as_text=True)
    assert "Applicants told" not in plain


def test_the_digest_stops_a_month_after_the_deadline(app, hiring, mailbox):
    settle_the_steps(app)
    assert digest_at(app, toronto(2026, 5, 22, 9, 0), mailbox) is not None  # day 74
    sent = len(mailbox.messages)
    digest_at(app, toronto(2026, 5, 25, 9, 0), mailbox)  # day 77: let go
    assert len(mailbox.messages) == sent


def test_the_digest_leaves_out_erased_candidates(app, hiring, mailbox):
    settle_the_steps(app)
    with app.app_context():
        db.session.get(Candidate, hiring.candidate.id).erased_at = datetime.now(UTC)
        db.session.commit()
    assert digest_at(app, toronto(2026, 4, 20, 9, 0), mailbox) is None  # day 42


def test_the_csv_gives_an_employer_with_only_a_deadline_in_the_period_a_row(app, login_as, hiring):
    record_outcome(app, hiring.second.id, Outcome.REJECTED, toronto(2026, 4, 20, 12))
    client = login_as(Role.RECRUITER, user=hiring.recruiter)
    text = client.get(
        "/reports/compliance.csv?group=employer&start=2026-04-20&end=2026-04-30"
    ).get_data(as_text=True)
    rows = text.strip("\ufeff").splitlines()[1:]
    assert [r for r in rows if r.startswith("Halvorsen Quill LLP")] == [
        "Halvorsen Quill LLP,0,0,0,0,0,,0,1,1"
    ]
    assert rows[-1].endswith(",1,1")
