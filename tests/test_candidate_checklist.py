"""The candidate's own checklist: their steps in their words, marking notes as sent, drafts, the handout."""

import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from portal.extensions import db
from portal.followup import Status, StepKind
from portal.models import AuditEvent, PreferredChannel, Role, Step, Timeline

TORONTO = ZoneInfo("America/Toronto")


def local_input(moment: datetime) -> str:
    return moment.astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")


def step_of(app, interview, kind) -> Step:
    with app.app_context():
        step = db.session.scalar(
            select(Step).where(Step.interview_id == interview.id, Step.kind == kind)
        )
        db.session.expunge(step)
        return step


def sent(client, step, when: datetime, channel: str = "email"):
    return client.post(
        f"/me/steps/{step.id}/sent",
        data={f"step{step.id}-done_at": local_input(when), f"step{step.id}-channel": channel},
    )


@pytest.fixture
def yesterday(world, make):
    """Candidate A's interview yesterday, with a position, two interviewers and a decision date."""
    employer = make.employer(name="Quill & Vance LLP", preferred_channel=PreferredChannel.EMAIL)
    job = make.job(employer, title="Corporate law clerk")
    starts = datetime.now(UTC) - timedelta(days=1)
    decision = (starts + timedelta(days=9)).astimezone(TORONTO).date()
    return make.interview(
        world.candidate_a,
        employer,
        job=job,
        starts_at=starts,
        interviewer_names="Ms. Ada Whitcombe, Mr. Ken Nakamura",
        timeline=Timeline.DATE_GIVEN,
        decision_date=decision,
        timeline_recorded_at=starts,
    )


def test_the_checklist_shows_my_interviews_only_with_due_times_in_words(world, login_as, yesterday):
    page = login_as(Role.CANDIDATE, user=world.user_a).get("/me/").get_data(as_text=True)
    assert "Quill &amp; Vance LLP" in page and "Jordan Vellacott" in page  # both of A's interviews
    assert "Sam Quarrington" not in page  # B's interview, at the same employer
    thank_you_due = (yesterday.starts_at + timedelta(hours=25)).astimezone(TORONTO)
    assert f"{thank_you_due:%H:%M} today" in page or f"tomorrow {thank_you_due:%H:%M}" in page
    assert "Quill &amp; Vance LLP asked to be contacted by email." in page
    assert "Get a draft" in page and "Mark as sent" in page


def test_each_step_carries_the_guidance_from_the_guides(world, login_as, yesterday):
    page = login_as(Role.CANDIDATE, user=world.user_a).get("/me/").get_data(as_text=True)
    assert (
        "A short written thank-you is always appropriate" in page
    )  # content/guides/four-habits.md
    assert 'href="https://advice.finchleylane.example/guides/four-habits/#step-thank-you"' in page
    assert (
        'href="https://advice.finchleylane.example/guides/thank-you-note/"' in page
    )  # its links reach the site


def test_marking_the_thank_you_as_sent_shows_at_once_to_the_recruiter(
    app, world, login_as, yesterday
):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    thank_you = step_of(app, yesterday, StepKind.THANK_YOU)
    when = yesterday.starts_at + timedelta(hours=3)
    response = sent(me, thank_you, when)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/me/#interview-{yesterday.id}")
    assert "marked as sent" in me.get("/me/").get_data(as_text=True)

    stored = step_of(app, yesterday, StepKind.THANK_YOU)
    assert stored.result == Status.DONE_ON_TIME and stored.done_by_id == world.user_a.id
    assert (
        stored.done_at == when.replace(second=0, microsecond=0) and stored.channel.value == "email"
    )
    recruiter_page = login_as(Role.RECRUITER, user=world.recruiter_a).get(
        f"/interviews/{yesterday.id}"
    )
    text = recruiter_page.get_data(as_text=True)
    assert "Marked by the candidate." in text and "Casey Alpha" in text  # the history names who


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"done_at": "2099-01-01T10:00"}, "out of range"),
        ({"done_at": "later"}, "Not a valid datetime value."),
        ({"channel": "pigeon"}, "Choose how it was sent."),
        ({"done_at": ""}, "Enter when it was done."),
    ],
)
def test_a_wrong_sent_mark_is_refused_with_the_reason_beside_it(
    app, world, login_as, yesterday, fields, error
):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    thank_you = step_of(app, yesterday, StepKind.THANK_YOU)
    data = {
        f"step{thank_you.id}-done_at": local_input(datetime.now(UTC)),
        f"step{thank_you.id}-channel": "email",
    }
    data.update({f"step{thank_you.id}-{name}": value for name, value in fields.items()})
    response = me.post(f"/me/steps/{thank_you.id}/sent", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert error in page and f'id="step{thank_you.id}-' in page
    assert '<details class="mark-sent" open>' in page  # the refused form is left open
    assert step_of(app, yesterday, StepKind.THANK_YOU).done_at is None


@pytest.mark.parametrize("kind", [StepKind.TIMELINE, StepKind.MOVE_ON])
def test_a_candidate_cannot_mark_the_recruiters_steps(app, world, login_as, yesterday, kind):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    step = step_of(app, yesterday, kind)
    assert me.post(f"/me/steps/{step.id}/sent", data={}).status_code == 404


def test_a_candidate_cannot_mark_someone_elses_step(app, world, login_as):
    other = step_of(app, world.interview_a, StepKind.THANK_YOU)
    intruder = login_as(Role.CANDIDATE, user=world.user_b)
    assert sent(intruder, other, datetime.now(UTC)).status_code == 404
    assert step_of(app, world.interview_a, StepKind.THANK_YOU).done_at is None


def test_undo_takes_back_only_my_own_mark(app, world, login_as, yesterday):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    thank_you = step_of(app, yesterday, StepKind.THANK_YOU)
    sent(me, thank_you, yesterday.starts_at + timedelta(hours=2))
    assert me.post(f"/me/steps/{thank_you.id}/undo").status_code == 303
    assert step_of(app, yesterday, StepKind.THANK_YOU).done_at is None

    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    recruiter.post(
        f"/steps/{thank_you.id}/done",
        data={"done_at": local_input(yesterday.starts_at + timedelta(hours=2)), "channel": "email"},
    )
    response = me.post(f"/me/steps/{thank_you.id}/undo")
    assert "Only what you marked yourself" in me.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert step_of(app, yesterday, StepKind.THANK_YOU).done_at is not None


# Drafts --------------------------------------------------------------------------------


def test_the_follow_up_draft_names_the_people_firm_position_and_date(world, login_as, yesterday):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    page = me.get(f"/me/interviews/{yesterday.id}/drafts/follow-up").get_data(as_text=True)
    decision = yesterday.decision_date
    assert "Dear Ms. Ada Whitcombe and Mr. Ken Nakamura," in page
    assert "the Corporate law clerk role at Quill &amp; Vance LLP" in page
    assert f"expected to decide by {decision:%A}, {decision:%B} {decision.day}" in page
    assert "Casey Alpha" in page
    mailto = re.search(r'href="(mailto:[^"]+)"', page).group(1)
    assert "Following up: Corporate law clerk" in unquote(mailto.replace("&amp;", "&"))
    assert "%0D%0A" in mailto  # line breaks as RFC 6068 asks
    assert mailto.startswith("mailto:?")  # no addresses recorded: the person fills them in


def edit_form(interview, **changes) -> dict:
    return {
        "employer_id": interview.employer_id,
        "job_id": interview.job_id or 0,
        "starts_at": local_input(interview.starts_at),
        "duration_minutes": 60,
        "format": "video",
        "interviewer_names": interview.interviewer_names,
        "timeline": "date_given",
        "decision_date": interview.decision_date.isoformat(),
        "outcome": "pending",
        **changes,
    }


def test_the_email_draft_is_addressed_to_the_interviewers_once_recorded(
    app, world, login_as, yesterday
):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    refused = recruiter.post(
        f"/interviews/{yesterday.id}/edit",
        data=edit_form(yesterday, interviewer_emails="ada@quill.example, not an address"),
    )
    assert refused.status_code == 422 and "is not an email address" in refused.get_data(
        as_text=True
    )
    saved = recruiter.post(
        f"/interviews/{yesterday.id}/edit",
        data=edit_form(yesterday, interviewer_emails="Ada@Quill.example; ken@quill.example"),
    )
    assert saved.status_code == 302
    me = login_as(Role.CANDIDATE, user=world.user_a)
    page = me.get(f"/me/interviews/{yesterday.id}/drafts/thank-you").get_data(as_text=True)
    mailto = re.search(r'href="(mailto:[^"]+)"', page).group(1)
    assert mailto.startswith("mailto:Ada@quill.example,ken@quill.example?subject=")


@pytest.mark.parametrize(
    "channel, expected, absent",
    [
        ("email", "Subject", "Print-friendly version"),
        ("handwritten", "Print-friendly version", "Open in my email program"),
        ("phone", "Hello, this is Casey Alpha calling", "Open in my email program"),
    ],
)
def test_the_thank_you_draft_for_each_channel(
    world, login_as, yesterday, channel, expected, absent
):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    response = me.get(f"/me/interviews/{yesterday.id}/drafts/thank-you?channel={channel}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and expected in page and absent not in page
    assert "<mark>[one thing you discussed]</mark>" in page


def test_a_draft_never_lets_entered_text_run_as_markup(app, world, make, login_as):
    employer = make.employer(name='Hale <script>alert("x")</script> LLP')
    interview = make.interview(
        world.candidate_a,
        employer,
        interviewer_names="<img src=x onerror=alert(1)>",
        starts_at=datetime.now(UTC) - timedelta(hours=3),
    )
    me = login_as(Role.CANDIDATE, user=world.user_a)
    for url in (
        f"/me/interviews/{interview.id}/drafts/thank-you",
        f"/me/interviews/{interview.id}/drafts/thank-you/print?channel=handwritten",
        "/me/",
    ):
        page = me.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page
        assert "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "url",
    [
        "/me/interviews/{id}/drafts/timeline",
        "/me/interviews/{id}/drafts/thank-you?channel=fax",
        "/me/interviews/999999/drafts/thank-you",
    ],
)
def test_an_unknown_draft_is_not_found(world, login_as, yesterday, url):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    assert me.get(url.format(id=yesterday.id)).status_code == 404


def test_the_recruiter_sees_the_same_draft_for_their_candidate(world, login_as, yesterday):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = recruiter.get(f"/interviews/{yesterday.id}/drafts/thank-you").get_data(as_text=True)
    assert "Dear Ms. Ada Whitcombe and Mr. Ken Nakamura," in page
    assert 'href="/interviews/' in page  # the breadcrumb leads back to the interview, not to /me/
    other = login_as(Role.RECRUITER, user=world.recruiter_b)
    assert other.get(f"/interviews/{yesterday.id}/drafts/thank-you").status_code == 404


# The handout ---------------------------------------------------------------------------


def pdf_text(response) -> tuple[PdfReader, str]:
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_the_handout_holds_my_open_interviews_steps_and_due_dates(app, world, login_as, yesterday):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    reader, text = pdf_text(me.get("/me/checklist.pdf"))
    assert 1 <= len(reader.pages) <= 6
    assert reader.metadata.title == "Follow-up checklist for Casey Alpha"
    made = reader.metadata.creation_date  # printed now, and dated so (the guides are too)
    assert made is not None and abs(made - datetime.now(UTC)) < timedelta(minutes=2)
    assert reader.metadata.modification_date == made
    words = " ".join(text.split())
    assert "Your follow-up checklist" in words and "Quill & Vance LLP" in words
    for label in ("Timeline asked", "Thank-you note", "Follow-up", "Move on"):
        assert label in words
    thank_you = step_of(app, yesterday, StepKind.THANK_YOU)
    assert f"{thank_you.due_at.astimezone(TORONTO):%A %-d %b %Y, %H:%M}" in words
    assert "Sam Quarrington" not in words
    assert (
        "How to do each step well" in words
        and "A short written thank-you is always appropriate" in words
    )


def test_a_recruiter_prints_the_handout_for_their_own_candidates_only(world, login_as, yesterday):
    recruiter = login_as(Role.RECRUITER, user=world.recruiter_a)
    _, text = pdf_text(recruiter.get(f"/candidates/{world.candidate_a.id}/checklist.pdf"))
    assert "Casey Alpha" in text
    assert recruiter.get(f"/candidates/{world.candidate_b.id}/checklist.pdf").status_code == 404


def test_the_handout_escapes_entered_text(world, make, login_as):
    employer = make.employer(name="Ames <b>&</b> Dorr LLP")
    make.interview(world.candidate_a, employer, starts_at=datetime.now(UTC) - timedelta(hours=2))
    _, text = pdf_text(login_as(Role.CANDIDATE, user=world.user_a).get("/me/checklist.pdf"))
    assert "Ames <b>&</b> Dorr LLP" in " ".join(text.split())  # shown as typed, not as markup


def test_a_step_the_candidate_marked_is_in_the_audit_trail(app, world, login_as, yesterday):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    thank_you = step_of(app, yesterday, StepKind.THANK_YOU)
    sent(me, thank_you, yesterday.starts_at + timedelta(hours=4), channel="handwritten")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.step_id == thank_you.id))
        assert event.actor_id == world.user_a.id and "by handwritten note" in event.detail


def test_no_open_interview_says_what_happens_next(world, make, login_as):
    user = make.user(Role.CANDIDATE, name="Nadia Fresh")
    make.candidate(world.recruiter_a, user=user, name="Nadia Fresh")
    page = login_as(Role.CANDIDATE, user=user).get("/me/").get_data(as_text=True)
    assert "No interviews to follow up right now" in page


def test_a_draft_says_when_to_send_it_until_it_is_sent(app, world, login_as, yesterday):
    me = login_as(Role.CANDIDATE, user=world.user_a)
    url = f"/me/interviews/{yesterday.id}/drafts/thank-you"
    due = (yesterday.starts_at + timedelta(hours=25)).astimezone(TORONTO)
    page = me.get(url).get_data(as_text=True)
    assert f"Send it by {due:%H:%M} today." in page or f"Send it by tomorrow {due:%H:%M}." in page
    opens = step_of(app, yesterday, StepKind.FOLLOW_UP).opens_at.astimezone(TORONTO)
    assert f"Send it from {opens:%A %-d %B}, by " in me.get(
        f"/me/interviews/{yesterday.id}/drafts/follow-up"
    ).get_data(as_text=True)
    step = step_of(app, yesterday, StepKind.THANK_YOU)
    assert sent(me, step, datetime.now(UTC) - timedelta(minutes=5)).status_code in (302, 303)
    assert "<strong>Send it" not in me.get(url).get_data(as_text=True)


def test_i_can_mark_a_note_sent_only_once_the_interview_is_over(app, world, login_as):
    """An interview still ahead (world's is in two days) offers a draft, not "I've sent it"."""
    me = login_as(Role.CANDIDATE, user=world.user_a)
    page = me.get("/me/").get_data(as_text=True)
    assert "Get a draft" in page and "I’ve sent it" not in page
    thank_you = step_of(app, world.interview_a, StepKind.THANK_YOU)
    response = sent(me, thank_you, world.interview_a.starts_at + timedelta(hours=3))
    assert response.status_code == 303
    assert "once the interview is over" in me.get("/me/").get_data(as_text=True)
    assert step_of(app, world.interview_a, StepKind.THANK_YOU).done_at is None


def test_the_handout_ticks_what_is_done_and_keeps_an_accented_name_readable(
    app, make, login_as, yesterday
):
    user = make.user(Role.CANDIDATE, name="Zoë Nguyễn")
    candidate = make.candidate(make.user(Role.RECRUITER), user=user, name="Zoë Nguyễn")
    interview = make.interview(
        candidate, make.employer(), starts_at=datetime.now(UTC) - timedelta(hours=6)
    )
    me = login_as(Role.CANDIDATE, user=user)
    thank_you = step_of(app, interview, StepKind.THANK_YOU)
    sent(me, thank_you, interview.starts_at + timedelta(hours=2))
    response = me.get("/me/checklist.pdf")
    name = response.headers["Content-Disposition"]
    assert 'filename="follow-up-checklist-zoe-nguyen-' in name
    _, text = pdf_text(response)
    words = " ".join(text.split())
    assert "✓ Thank-you note" in words or "✓Thank-you note" in words
    assert "mark it as sent in the portal" in words and "as sent here" not in words
