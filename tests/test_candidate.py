"""The candidate's own page shows them and nobody else."""

from datetime import UTC, datetime, timedelta

from portal.models import Role


def test_candidate_sees_own_profile_and_interviews_only(world, login_as):
    client = login_as(Role.CANDIDATE, user=world.user_a)
    page = client.get("/me/").get_data(as_text=True)
    assert "Hello, Casey" in page
    assert "Riley Assigned" in page  # their recruiter
    assert "Jordan Vellacott" in page  # their interviewer
    assert "Corey Beta" not in page and "Sam Quarrington" not in page


def test_candidate_without_interviews_gets_an_empty_state(make, login_as):
    user = make.user(Role.CANDIDATE, name="Lena Ferreira")
    make.candidate(user=user, name="Lena Ferreira")
    page = login_as(Role.CANDIDATE, user=user).get("/me/").get_data(as_text=True)
    assert "No interviews booked" in page and "Being assigned" in page


def test_candidate_page_splits_upcoming_and_past(make, login_as):
    user = make.user(Role.CANDIDATE)
    candidate = make.candidate(user=user)
    employer = make.employer(name="Birchall Marchbank LLP")
    past_employer = make.employer(name="Ormsby Tremaine LLP")
    make.interview(candidate, employer, starts_at=datetime.now(UTC) + timedelta(days=1))
    make.interview(candidate, past_employer, starts_at=datetime.now(UTC) - timedelta(days=5))
    page = login_as(Role.CANDIDATE, user=user).get("/me/").get_data(as_text=True)
    upcoming, past = page.split('id="past"')
    assert "Birchall Marchbank LLP" in upcoming and "Ormsby Tremaine LLP" in past


def test_candidate_account_without_profile_gets_404_not_an_error(make, login_as):
    user = make.user(Role.CANDIDATE)
    assert login_as(Role.CANDIDATE, user=user).get("/me/").status_code == 404
