"""Odd input gets a clear answer, never a 500 (each case once crashed or misbehaved)."""

import pytest
from sqlalchemy import func, select

from conftest import PASSWORD
from portal.extensions import db
from portal.models import Candidate, Interview, Job, Role, User

LISTS = ["/candidates", "/employers", "/jobs", "/admin/users", "/admin/candidates"]


def test_nul_bytes_in_sign_in_are_refused_not_crashed(client):
    response = client.post("/login", data={"email": "a\x00@example.com", "password": PASSWORD})
    assert response.status_code == 422
    assert "Contains a character that is not allowed." in response.get_data(as_text=True)


@pytest.mark.parametrize("url", LISTS)
def test_nul_bytes_in_search_are_refused(login_as, url):
    response = login_as(Role.ADMIN).get(url, query_string={"q": "x\x00y"})
    assert response.status_code == 400
    assert "Contains a character that is not allowed." in response.get_data(as_text=True)


def test_nul_bytes_in_forms_give_field_errors_and_no_row(app, login_as):
    client = login_as(Role.RECRUITER)
    response = client.post(
        "/candidates/new",
        data={
            "name": "Nul\x00Name",
            "email": "nul@example.com",
            "role_sought": "paralegal",
            "status": "active",
            "notes": "bad\x00notes",
        },
    )
    assert response.status_code == 422
    assert (
        response.get_data(as_text=True).count("Contains a character that is not allowed.</p>") == 2
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Candidate.id))) == 0


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(
    "page, status", [("99999999999999999999", 404), ("0", 404), ("-1", 404), ("abc", 200)]
)
def test_page_numbers_out_of_range_are_not_found(login_as, url, page, status):
    assert login_as(Role.ADMIN).get(url, query_string={"page": page}).status_code == status


@pytest.mark.parametrize(
    "args", [{"endpoint": "x"}, {"_method": "POST"}, {"_scheme": "http"}, {"_external": "1"}]
)
def test_pager_links_ignore_odd_query_keys(login_as, make, args):
    client = login_as(Role.ADMIN)
    for n in range(7):
        make.employer(name=f"Employer {n}")
    response = client.get("/employers", query_string=args)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'href="/employers?' in page and 'href="//' not in page


def test_candidate_account_with_an_email_already_in_use(login_as, make):
    make.user(Role.RECRUITER, email="taken@example.com")
    response = login_as(Role.ADMIN).post(
        "/admin/users/new",
        data={
            "name": "Taken Twice",
            "email": "taken@example.com",
            "role": "candidate",
            "role_sought": "paralegal",
            "recruiter_id": "0",
            "password": "bright kettle orchard",
            "confirm": "bright kettle orchard",
        },
    )
    assert response.status_code == 422
    assert "An account with this email already exists." in response.get_data(as_text=True)


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:00", "0001-01-01T09:00", "1850-05-05T10:00"])
def test_absurd_interview_years_are_refused(login_as, make, app, starts_at):
    client = login_as(Role.RECRUITER)
    candidate = make.candidate(client.user)
    employer = make.employer()
    response = client.post(
        f"/candidates/{candidate.id}/interviews/new",
        data={
            "employer_id": employer.id,
            "job_id": 0,
            "starts_at": starts_at,
            "duration_minutes": "60",
            "format": "video",
            "timeline": "date_given",
            "decision_date": "9999-12-31",
            "outcome": "pending",
        },
    )
    assert response.status_code == 422
    assert "out of range; check the year" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Interview.id))) == 0


def test_next_with_a_newline_is_not_followed(make, client):
    user = make.user(Role.RECRUITER)
    response = client.post(
        "/login",
        query_string={"next": "/\r\nX-Evil: 1"},
        data={"email": user.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_a_job_with_interviews_keeps_its_employer(login_as, make, fetch):
    client = login_as(Role.RECRUITER)
    first, second = make.employer(name="First Firm LLP"), make.employer(name="Second Firm LLP")
    job = make.job(first)
    make.interview(make.candidate(client.user), first, job=job)
    response = client.post(
        f"/jobs/{job.id}/edit",
        data={
            "employer_id": second.id,
            "title": job.title,
            "practice_area": job.practice_area,
            "status": "open",
        },
    )
    assert response.status_code == 422
    assert "add a new job for the other employer" in response.get_data(as_text=True)
    assert fetch(Job, job.id).employer_id == first.id


def test_cli_does_not_relink_a_profile_with_a_sign_in(app, runner, make):
    first = make.user(Role.CANDIDATE, email="first@example.com")
    make.candidate(user=first, email="profile@example.com")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "profile@example.com",
            "--role",
            "candidate",
            "--name",
            "Someone",
            "--password-stdin",
        ],
        input="a long enough password\n",
    )
    assert result.exit_code == 1 and "already has a sign-in" in result.output
    with app.app_context():
        assert db.session.scalar(select(Candidate.user_id)) == first.id
        assert db.session.scalar(select(func.count(User.id))) == 1


def test_unknown_email_still_spends_a_password_check(app, client, monkeypatch):
    calls = []
    real = app.extensions["password_hasher"]

    class Spy:
        def __getattr__(self, name):
            return getattr(real, name)

        def verify(self, *args):
            calls.append(1)
            return real.verify(*args)

    monkeypatch.setitem(app.extensions, "password_hasher", Spy())
    client.post("/login", data={"email": "nobody@example.com", "password": "whatever password"})
    assert calls, "an unknown email must cost a hash verification too"


@pytest.mark.parametrize(
    "url",
    [
        "/candidates/3000000000",
        "/candidates/99999999999999999999999/edit",
        "/interviews/2147483648",
        "/employers/3000000000",
        "/jobs/3000000000/edit",
        "/admin/users/3000000000",
        "/admin/candidates/3000000000/assignment",
        "/candidates/0",
    ],
)
def test_ids_beyond_what_the_database_holds_are_not_found(login_as, url):
    assert login_as(Role.ADMIN).get(url).status_code == 404
