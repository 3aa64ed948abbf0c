"""The recruiter's workflow: dashboard, candidates, employers, jobs, interviews."""

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.models import (
    Assignment,
    Candidate,
    Employer,
    Interview,
    Job,
    JobStatus,
    Outcome,
    PreferredChannel,
    Role,
    Timeline,
)

TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def recruiter(login_as):
    return login_as(Role.RECRUITER, name="Riley Recruiter")


def _interview_form(employer, job=None, **overrides):
    data = {
        "employer_id": employer.id,
        "job_id": job.id if job else 0,
        "starts_at": "2026-07-02T10:00",
        "duration_minutes": "60",
        "format": "video",
        "interviewer_names": "Jordan Vellacott",
        "timeline": "date_given",
        "decision_date": "2026-07-09",
        "outcome": "pending",
        "notes": "",
    }
    data.update(overrides)
    return data


# Dashboard ---------------------------------------------------------------------------


def test_dashboard_shows_my_candidates_and_next_two_weeks(recruiter, make):
    mine = make.candidate(recruiter.user, name="Amara Okonkwo")
    theirs = make.candidate(make.user(Role.RECRUITER), name="Jonah Brennan")
    employer = make.employer(name="Dunmore Ingleby LLP")
    now = datetime.now(UTC)
    make.interview(mine, employer, starts_at=now + timedelta(days=3), interviewer_names="Soon")
    make.interview(mine, employer, starts_at=now + timedelta(days=20), interviewer_names="Later")
    make.interview(mine, employer, starts_at=now - timedelta(days=1))
    make.interview(theirs, employer, starts_at=now + timedelta(days=2))

    page = recruiter.get("/dashboard").get_data(as_text=True)
    assert "Amara Okonkwo" in page
    assert "Jonah Brennan" not in page
    upcoming = page.split('id="upcoming"', 1)[1].split("</section>", 1)[0]
    assert upcoming.count("Dunmore Ingleby LLP") == 1  # only the interview within 14 days
    assert "<strong>1</strong> in all" in page


def test_dashboard_empty_state_says_what_to_do(recruiter):
    page = recruiter.get("/dashboard").get_data(as_text=True)
    assert "No interviews in the next 14 days" in page
    assert "Add a candidate" in page


# Candidates --------------------------------------------------------------------------


def test_create_candidate_assigns_it_to_me(recruiter, app):
    response = recruiter.post(
        "/candidates/new",
        data={
            "name": "Priya Dhaliwal",
            "email": "Priya@Example.com",
            "phone": "416-555-0199",
            "role_sought": "law_clerk",
            "status": "active",
            "city": "Mississauga",
            "notes": "Strong on Teraview.",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        candidate = db.session.scalar(select(Candidate))
        assert candidate.email == "priya@example.com"
        assert candidate.recruiter_id == recruiter.user.id
        assert [a.recruiter_id for a in db.session.scalars(select(Assignment))] == [
            recruiter.user.id
        ]
    page = recruiter.get(response.headers["Location"]).get_data(as_text=True)
    assert "Priya Dhaliwal" in page and "Law clerk" in page and "Strong on Teraview." in page


@pytest.mark.parametrize(
    "overrides, field_error",
    [
        ({"name": ""}, "This field is required."),
        ({"name": "    "}, "This field is required."),
        ({"email": "nope"}, "Invalid email address."),
        ({"role_sought": "judge"}, "Not a valid choice."),
        ({"status": "retired"}, "Not a valid choice."),
        ({"name": "x" * 121}, "Field cannot be longer than 120 characters."),
        ({"email": "dup@example.com"}, "A candidate with this email is already on file."),
    ],
)
def test_candidate_form_refusals(recruiter, make, app, overrides, field_error):
    make.candidate(email="dup@example.com")
    data = {
        "name": "Priya Dhaliwal",
        "email": "priya@example.com",
        "role_sought": "law_clerk",
        "status": "active",
    }
    data.update(overrides)
    response = recruiter.post("/candidates/new", data=data)
    assert response.status_code == 422
    assert field_error in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Candidate.id))) == 1  # nothing half-written


def test_edit_candidate(recruiter, make, fetch):
    candidate = make.candidate(recruiter.user, name="Mateo Castellano")
    response = recruiter.post(
        f"/candidates/{candidate.id}/edit",
        data={
            "name": "Mateo Castellano-Ruiz",
            "email": candidate.email,
            "role_sought": "conveyancer",
            "status": "placed",
        },
    )
    assert response.status_code == 302
    saved = fetch(Candidate, candidate.id)
    assert (saved.name, saved.role_sought.value, saved.status.value) == (
        "Mateo Castellano-Ruiz",
        "conveyancer",
        "placed",
    )


def test_candidate_list_search_filter_and_pagination(recruiter, make):
    for n in range(6):
        make.candidate(recruiter.user, name=f"Paralegal {n}", role_sought="paralegal")
    make.candidate(
        recruiter.user,
        name="Siobhan Moreau",
        email="siobhan@example.com",
        role_sought="conveyancer",
    )
    make.candidate(make.user(Role.RECRUITER), name="Hidden Person", role_sought="conveyancer")

    page = recruiter.get("/candidates").get_data(as_text=True)
    assert "7 candidates" in page and "page 1 of 2" in page and "Hidden Person" not in page
    assert "Siobhan Moreau" in recruiter.get("/candidates?page=2").get_data(as_text=True)

    by_email = recruiter.get("/candidates?q=SIOBHAN@").get_data(as_text=True)
    assert "Siobhan Moreau" in by_email and "Paralegal 1" not in by_email
    by_role = recruiter.get("/candidates?role_sought=conveyancer").get_data(as_text=True)
    assert "1 candidate" in by_role and "Siobhan Moreau" in by_role
    assert "No candidates match" in recruiter.get("/candidates?q=%25").get_data(as_text=True)
    assert "Hidden Person" not in recruiter.get("/candidates?q=Hidden").get_data(as_text=True)
    assert recruiter.get("/candidates?status=bogus").status_code == 400
    past_the_end = recruiter.get("/candidates?page=9")  # shows the last page, not "not found"
    assert past_the_end.status_code == 200 and "page 2 of 2" in past_the_end.get_data(as_text=True)
    assert recruiter.get("/candidates?page=abc").status_code == 200  # read as page 1


@pytest.mark.parametrize(
    "typed",
    [
        "ZOË",
        "zoe",
        "nguyen",
        "Nguyễn zoë",
        "nguyen ZOE",
        "416 555 0199",
        "4165550199",
        "+1-416-555-0199",
        "(416) 555-0199",
        "zoe.n@",
        "EXAMPLE.COM",
    ],
)
def test_candidate_search_ignores_case_accents_word_order_and_phone_punctuation(
    recruiter, make, typed
):
    make.candidate(
        recruiter.user, name="Zoë Nguyễn", email="Zoe.N@example.com", phone="+1 416 555 0199"
    )
    make.candidate(recruiter.user, name="Desmond Mensah", email="d.mensah@mail.test")
    found = recruiter.get("/candidates", query_string={"q": typed}).get_data(as_text=True)
    assert "Zoë Nguyễn" in found and "Desmond Mensah" not in found


def test_candidate_search_finds_names_in_any_order_and_nothing_else(recruiter, make):
    make.candidate(recruiter.user, name="Desmond Mensah", email="d.mensah@mail.test")
    make.candidate(recruiter.user, name="Mensah Owusu", email="owusu@mail.test")
    found = recruiter.get("/candidates?q=mensah+desmond").get_data(as_text=True)
    assert "Desmond Mensah" in found and "Mensah Owusu" not in found
    assert "No candidates match" in recruiter.get("/candidates?q=dumont").get_data(as_text=True)


def test_employer_and_job_search_fold_the_same_way(recruiter, make):
    employer = make.employer(name="Bélanger Côté LLP", city="Montréal")
    make.job(employer, title="Réviseur juridique", location="Québec")
    assert "Bélanger Côté LLP" in recruiter.get("/employers?q=cote+belanger").get_data(as_text=True)
    assert "Bélanger Côté LLP" in recruiter.get("/employers?q=montreal").get_data(as_text=True)
    jobs = recruiter.get("/jobs?q=reviseur+quebec").get_data(as_text=True)
    assert "Réviseur juridique" in jobs
    assert "Réviseur juridique" in recruiter.get("/jobs?q=BELANGER").get_data(as_text=True)


def test_a_renamed_candidate_is_found_by_the_new_name(recruiter, make):
    candidate = make.candidate(recruiter.user, name="Ana Dumont", email="ana@example.com")
    response = recruiter.post(
        f"/candidates/{candidate.id}/edit",
        data={
            "name": "Ana Lefèvre",
            "email": "ana@example.com",
            "role_sought": "paralegal",
            "status": "active",
            "phone": "",
            "city": "",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert "Ana Lefèvre" in recruiter.get("/candidates?q=lefevre").get_data(as_text=True)
    assert "No candidates match" in recruiter.get("/candidates?q=dumont").get_data(as_text=True)


def test_filters_survive_paging(recruiter, make):
    for n in range(7):
        make.candidate(recruiter.user, name=f"Clerk {n}", role_sought="law_clerk")
    page = recruiter.get("/candidates?role_sought=law_clerk").get_data(as_text=True)
    assert "role_sought=law_clerk&amp;page=2" in page


# Employers and jobs ------------------------------------------------------------------


def test_employer_create_edit_and_duplicate(recruiter, app):
    response = recruiter.post(
        "/employers/new",
        data={
            "name": "Northcote Stanbury LLP",
            "kind": "law_firm",
            "preferred_channel": "handwritten",
            "city": "Toronto",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        employer = db.session.scalar(select(Employer))
        assert employer.preferred_channel == PreferredChannel.HANDWRITTEN
    page = recruiter.get(response.headers["Location"]).get_data(as_text=True)
    assert "Northcote Stanbury LLP" in page and "Handwritten note" in page

    again = recruiter.post(
        "/employers/new",
        data={"name": "Northcote Stanbury LLP", "kind": "law_firm", "preferred_channel": "none"},
    )
    assert again.status_code == 422
    assert "An employer with this name already exists." in again.get_data(as_text=True)
    bad = recruiter.post(
        f"/employers/{employer.id}/edit",
        data={"name": "N", "kind": "bakery", "preferred_channel": "fax"},
    )
    assert (
        bad.status_code == 422 and bad.get_data(as_text=True).count("Not a valid choice.</p>") == 2
    )


# What a browser sends of a job form's posting part when nobody touches it.
POSTING_FIELDS = {
    "work_arrangement": "on_site",
    "employment_type": "permanent",
    "schedule": "full_time",
    "pay_per": "year",
    "recruiter_id": "",
    "employer_size": "",
    "uses_ai": "",
    "existing_vacancy": "",
}


def test_job_create_edit_and_list(recruiter, make, app):
    employer = make.employer(name="Wetherby Yardley LLP")
    response = recruiter.post(
        "/jobs/new",
        data={
            "employer_id": employer.id,
            "title": "Estates law clerk",
            "practice_area": "Wills and estates",
            "location": "Oakville",
            "status": "open",
            **POSTING_FIELDS,
        },
    )
    assert response.status_code == 303
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert job.employer_id == employer.id
        assert response.location.endswith(f"/jobs/{job.id}")
    recruiter.post(
        f"/jobs/{job.id}/edit",
        data={
            "employer_id": employer.id,
            "title": "Estates law clerk",
            "practice_area": "Wills and estates",
            "status": "filled",
            **POSTING_FIELDS,
        },
    )
    listing = recruiter.get("/jobs?status=filled").get_data(as_text=True)
    assert "Estates law clerk" in listing and "Wetherby Yardley LLP" in listing
    assert "No jobs match" in recruiter.get("/jobs?status=open").get_data(as_text=True)
    refused = recruiter.post(
        "/jobs/new",
        data={"employer_id": 0, "title": "", "practice_area": "Astrology", "status": "open"},
    )
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Choose the employer." in text or "This field is required." in text
    assert "Not a valid choice." in text


def test_employer_page_shows_only_my_candidates_interviews(recruiter, make):
    employer = make.employer(name="Galloway Jessop LLP")
    mine = make.candidate(recruiter.user, name="Noor Sandhu")
    theirs = make.candidate(make.user(Role.RECRUITER), name="Theo Varga")
    make.interview(mine, employer)
    make.interview(theirs, employer)
    page = recruiter.get(f"/employers/{employer.id}").get_data(as_text=True)
    assert "Noor Sandhu" in page and "Theo Varga" not in page


# Interviews --------------------------------------------------------------------------


def test_log_interview_in_toronto_time(recruiter, make, app):
    candidate = make.candidate(recruiter.user)
    employer = make.employer()
    job = make.job(employer, title="Family law secretary")
    response = recruiter.post(
        f"/candidates/{candidate.id}/interviews/new", data=_interview_form(employer, job)
    )
    assert response.status_code == 302
    with app.app_context():
        interview = db.session.scalar(select(Interview))
        # 10:00 in Toronto in July (EDT, UTC-4) is 14:00 UTC.
        assert interview.starts_at == datetime(2026, 7, 2, 14, 0, tzinfo=UTC)
        assert interview.timeline == Timeline.DATE_GIVEN
        assert interview.decision_date == date(2026, 7, 9)
        assert interview.timeline_recorded_at is not None
        assert interview.created_by_id == recruiter.user.id
    page = recruiter.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Thu 2 Jul 2026, 10:00" in page
        and "Family law secretary" in page
        and "Jordan Vellacott" in page
    )


def test_winter_time_is_converted_with_the_winter_offset(recruiter, make, app):
    candidate = make.candidate(recruiter.user)
    employer = make.employer()
    form = _interview_form(
        employer, starts_at="2026-01-15T16:30", timeline="no_date_given", decision_date=""
    )
    assert (
        recruiter.post(f"/candidates/{candidate.id}/interviews/new", data=form).status_code == 302
    )
    with app.app_context():
        assert db.session.scalar(select(Interview.starts_at)) == datetime(
            2026, 1, 15, 21, 30, tzinfo=UTC
        )


def _far_future() -> str:
    return (datetime.now(TORONTO) + timedelta(days=400)).strftime("%Y-%m-%dT10:00")


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"duration_minutes": "0"}, "An interview lasts between 1 minute and a day"),
        ({"duration_minutes": "1441"}, "An interview lasts between 1 minute and a day"),
        ({"duration_minutes": "ninety"}, "Not a valid integer value."),
        ({"starts_at": ""}, "Enter the date and time the interview starts."),
        ({"starts_at": "2026-13-45T10:00"}, "Not a valid datetime value."),
        ({"starts_at": "2026-03-08T02:30"}, "02:30 does not exist on 2026-03-08"),
        ({"starts_at": "FAR"}, "That is more than a year ahead"),
        ({"decision_date": "2026-07-01"}, "The decision date cannot be before the interview."),
        ({"decision_date": ""}, "Enter the decision date the employer gave."),
        ({"timeline": "no_date_given"}, "A decision date only goes with"),
        ({"employer_id": "0"}, "Choose the employer."),
        ({"employer_id": "99999"}, "Not a valid choice."),
        ({"format": "carrier pigeon"}, "Not a valid choice."),
        ({"outcome": "maybe"}, "Not a valid choice."),
        ({"job_id": "OTHER"}, "That job belongs to another employer."),
    ],
)
def test_interview_refusals(recruiter, make, app, overrides, message):
    candidate = make.candidate(recruiter.user)
    employer = make.employer()
    other_job = make.job(make.employer())
    if overrides.get("starts_at") == "FAR":
        overrides["starts_at"] = _far_future()
    if overrides.get("job_id") == "OTHER":
        overrides["job_id"] = other_job.id
    response = recruiter.post(
        f"/candidates/{candidate.id}/interviews/new", data=_interview_form(employer, **overrides)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Interview.id))) == 0


def test_past_interviews_can_be_logged(recruiter, make):
    candidate = make.candidate(recruiter.user)
    employer = make.employer()
    form = _interview_form(employer, starts_at="2025-02-03T09:00", decision_date="2025-02-10")
    assert (
        recruiter.post(f"/candidates/{candidate.id}/interviews/new", data=form).status_code == 302
    )


def test_edit_interview_shows_local_time_and_saves_changes(recruiter, make, fetch):
    candidate = make.candidate(recruiter.user)
    employer = make.employer()
    interview = make.interview(
        candidate, employer, starts_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC)
    )
    form_page = recruiter.get(f"/interviews/{interview.id}/edit").get_data(as_text=True)
    assert 'value="2026-11-02T10:00"' in form_page  # 15:00 UTC is 10:00 EST

    response = recruiter.post(
        f"/interviews/{interview.id}/edit",
        data=_interview_form(
            employer,
            starts_at="2026-11-02T10:00",
            decision_date="",
            timeline="no_date_given",
            outcome="offer",
        ),
    )
    assert response.status_code == 302
    saved = fetch(Interview, interview.id)
    assert (
        saved.outcome == Outcome.OFFER
        and saved.timeline == Timeline.NO_DATE_GIVEN
        and saved.decision_date is None
    )
    assert saved.starts_at == datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


def test_cannot_log_interview_for_someone_elses_candidate(recruiter, make, app):
    theirs = make.candidate(make.user(Role.RECRUITER))
    employer = make.employer()
    response = recruiter.post(
        f"/candidates/{theirs.id}/interviews/new", data=_interview_form(employer)
    )
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Interview.id))) == 0


def test_user_text_is_escaped(recruiter, make):
    candidate = make.candidate(recruiter.user, name="<script>alert(1)</script>")
    page = recruiter.get(f"/candidates/{candidate.id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_edit_employer_saves(recruiter, make, fetch):
    employer = make.employer(name="Ingleby Corrigan LLP")
    response = recruiter.post(
        f"/employers/{employer.id}/edit",
        data={
            "name": "Ingleby Corrigan Fenwick LLP",
            "kind": "law_firm",
            "preferred_channel": "email",
            "city": "Markham",
        },
    )
    assert response.status_code == 302
    saved = fetch(Employer, employer.id)
    assert (saved.name, saved.preferred_channel, saved.city) == (
        "Ingleby Corrigan Fenwick LLP",
        PreferredChannel.EMAIL,
        "Markham",
    )


def test_edit_forms_refuse_bad_input_with_field_errors(recruiter, make, fetch):
    candidate = make.candidate(recruiter.user, name="Keisha Abernathy")
    interview = make.interview(candidate, make.employer(), duration_minutes=45)
    response = recruiter.post(
        f"/candidates/{candidate.id}/edit",
        data={
            "name": "",
            "email": "not-an-email",
            "role_sought": "paralegal",
            "status": "active",
        },
    )
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)
    assert "Invalid email address." in response.get_data(as_text=True)
    response = recruiter.post(
        f"/interviews/{interview.id}/edit",
        data=_interview_form(
            make.employer(),
            duration_minutes="0",
            decision_date="2026-06-01",
        ),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "An interview lasts between 1 minute and a day" in page
    assert "The decision date cannot be before the interview." in page
    assert fetch(Candidate, candidate.id).name == "Keisha Abernathy"
    assert fetch(Interview, interview.id).duration_minutes == 45


def test_a_past_interview_can_name_a_filled_job(recruiter, make, app):
    candidate = make.candidate(recruiter.user)
    employer = make.employer()
    filled = make.job(employer, title="Corporate law clerk", status=JobStatus.FILLED)
    form_page = recruiter.get(f"/candidates/{candidate.id}/interviews/new").get_data(as_text=True)
    assert "Corporate law clerk (filled)" in form_page
    response = recruiter.post(
        f"/candidates/{candidate.id}/interviews/new",
        data=_interview_form(
            employer, filled, starts_at="2026-03-03T10:00", decision_date="2026-03-10"
        ),
    )
    assert response.status_code == 302


def test_the_zone_shown_is_the_configured_one(make, app):
    app.config["PORTAL_TIMEZONE"] = "America/Vancouver"
    try:
        client = app.test_client()
        user = make.user(Role.RECRUITER)
        from conftest import login

        login(client, user)
        candidate = make.candidate(user)
        page = client.get(f"/candidates/{candidate.id}/interviews/new").get_data(as_text=True)
        year = datetime.now(UTC).year
        assert f"Vancouver time, from 2000 up to a year ahead ({year + 1})." in page
        assert "Past interviews are fine" in page
        assert "Times are Vancouver time (America/Vancouver)" in page
    finally:
        app.config["PORTAL_TIMEZONE"] = "America/Toronto"


def test_a_missing_employer_is_said_once_and_listed_in_the_summary(recruiter, make):
    candidate = make.candidate(recruiter.user)
    response = recruiter.post(
        f"/candidates/{candidate.id}/interviews/new",
        data=_interview_form(make.employer(), employer_id=""),
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<p class="error" id="employer_id-error">Choose the employer.</p>' in page
    assert '<a href="#employer_id">Employer</a>: Choose the employer.' in page


def test_sorting_by_a_choice_follows_the_words_people_read(app, make):
    """ "Not sent" (stored as "dropped") sorts after "Failed", as its label reads."""
    from portal.models import EmailKind, EmailStatus, OutboxEmail
    from portal.outbox.emails import row_values
    from portal.web.lists import by_label

    user = make.user(Role.RECRUITER)
    with app.app_context():
        now = datetime.now(UTC)
        for n, status in enumerate(EmailStatus):
            row = row_values(user.id, EmailKind.PASSWORD_CHANGED, f"sort-{n}", now)
            db.session.add(OutboxEmail(**{**row, "status": status}))
        db.session.commit()
        ordered = db.session.scalars(
            select(OutboxEmail.status).order_by(by_label(OutboxEmail.status, EmailStatus))
        ).all()
    assert [status.label for status in ordered] == sorted(s.label for s in EmailStatus)
    assert [status.label for status in ordered][:2] == ["Failed", "Not sent"]


@pytest.mark.parametrize(
    "url, marked",
    [
        ("/steps/{step}", "Candidates"),
        ("/interviews/{interview}", "Candidates"),
        ("/queue", "Due now"),
        ("/employers/{employer}", "Employers"),
        ("/reports/compliance", "Compliance"),
    ],
)
def test_the_menu_marks_where_the_person_is(world, login_as, url, marked):
    client = login_as(Role.RECRUITER, user=world.recruiter_a)
    page = client.get(
        url.format(step=world.step_a.id, interview=world.interview_a.id, employer=world.employer.id)
    ).get_data(as_text=True)
    nav = page[page.index('<nav aria-label="Main">') : page.index("</nav>")]
    assert re.findall(r'aria-current="page">([^<]+)<', nav) == [marked]
