"""The candidate's own page shows them and nobody else."""

from datetime import UTC, datetime, timedelta

from portal.models import Outcome, Role


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
    assert (
        "No interviews to follow up right now" in page and "A recruiter is being assigned" in page
    )


def test_settled_interviews_move_to_earlier_ones(make, login_as):
    user = make.user(Role.CANDIDATE)
    candidate = make.candidate(user=user)
    started = datetime.now(UTC) - timedelta(days=30)
    make.interview(
        candidate,
        make.employer(name="Birchall Marchbank LLP"),
        starts_at=datetime.now(UTC) + timedelta(days=1),
    )
    make.interview(
        candidate,
        make.employer(name="Ormsby Tremaine LLP"),
        starts_at=started,
        outcome=Outcome.REJECTED,
        outcome_at=started + timedelta(hours=2),
    )
    page = login_as(Role.CANDIDATE, user=user).get("/me/").get_data(as_text=True)
    current, earlier = page.split('id="earlier"')
    assert "Birchall Marchbank LLP" in current and "Ormsby Tremaine LLP" in earlier
    assert "Ormsby Tremaine LLP" not in current


def test_candidate_account_without_profile_gets_404_not_an_error(make, login_as):
    user = make.user(Role.CANDIDATE)
    assert login_as(Role.CANDIDATE, user=user).get("/me/").status_code == 404
