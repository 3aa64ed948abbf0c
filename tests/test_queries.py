"""List and dashboard pages issue the same number of queries whatever the data size."""

from datetime import UTC, datetime, timedelta

import pytest

from portal.followup import StepKind
from portal.models import Role


def _grow(make, recruiter, candidate_user, employer, n: int):
    """n more candidates for the recruiter, each with two upcoming interviews and a job."""
    now = datetime.now(UTC)
    for i in range(n):
        candidate = make.candidate(recruiter)
        job = make.job(employer, title=f"Clerk {i}")
        make.interview(candidate, employer, job=job, starts_at=now + timedelta(days=1 + i % 10))
        make.interview(candidate, make.employer(), starts_at=now + timedelta(days=2))
        make.interview(candidate, employer, starts_at=now - timedelta(days=20 + i))  # overdue steps
        make.user(Role.RECRUITER)
        make.candidate(name=f"Nobody's client {i}")  # unassigned
    # the signed-in candidate gets more interviews too
    make.interview(candidate_user, employer, starts_at=now + timedelta(days=3))


PAGES = [
    (Role.RECRUITER, "/dashboard"),
    (Role.RECRUITER, "/candidates"),
    (Role.RECRUITER, "/candidates/{candidate}"),
    (Role.RECRUITER, "/employers"),
    (Role.RECRUITER, "/employers/{employer}"),
    (Role.RECRUITER, "/jobs"),
    (Role.ADMIN, "/dashboard"),
    (Role.ADMIN, "/candidates"),
    (Role.ADMIN, "/admin/users"),
    (Role.ADMIN, "/admin/candidates"),
    (Role.ADMIN, "/admin/candidates/{candidate}/assignment"),
    (Role.CANDIDATE, "/me/"),
    (Role.RECRUITER, "/queue"),
    (Role.RECRUITER, "/interviews/{interview}"),
    (Role.RECRUITER, "/steps/{step}"),
    (Role.RECRUITER, "/reports/compliance"),
    (Role.RECRUITER, "/reports/compliance?group=candidate"),
    (Role.RECRUITER, "/reports/compliance?group=employer"),
    (Role.RECRUITER, "/reports/compliance.csv?group=candidate"),
    (Role.ADMIN, "/queue"),
    (Role.ADMIN, "/reports/compliance"),
    (Role.ADMIN, "/reports/compliance?group=candidate"),
    (Role.ADMIN, "/admin/policy"),
    (Role.CANDIDATE, "/me/checklist.pdf"),
    (Role.CANDIDATE, "/me/interviews/{interview}/drafts/thank-you"),
    (Role.CANDIDATE, "/account/calendar"),
    (Role.RECRUITER, "/interviews/{interview}/drafts/follow-up"),
    (Role.RECRUITER, "/candidates/{candidate}/checklist.pdf"),
    (Role.ADMIN, "/admin/outbox"),
    (Role.CANDIDATE, "/account/notifications"),
    (Role.ADMIN, "/admin/users/{recruiter}"),
    (Role.ADMIN, "/admin/users/{recruiter}/edit"),
    (Role.ADMIN, "/admin/users/{recruiter}/handover"),
    (Role.ADMIN, "/admin/users/{recruiter}/handover?candidates={candidate}&to={recruiter_b}"),
    (Role.ADMIN, "/admin/candidates/unassigned"),
]


@pytest.mark.parametrize("role, url", PAGES)
def test_query_count_does_not_grow_with_data(make, login_as, count_queries, role, url):
    recruiter = make.user(Role.RECRUITER)
    user = make.user(Role.CANDIDATE)
    own = make.candidate(recruiter, user=user)
    employer = make.employer()
    clients = {
        Role.RECRUITER: login_as(Role.RECRUITER, user=recruiter),
        Role.ADMIN: login_as(Role.ADMIN),
        Role.CANDIDATE: login_as(Role.CANDIDATE, user=user),
    }
    interview = make.interview(own, employer, starts_at=datetime.now(UTC) - timedelta(days=3))
    step = make.step(interview, StepKind.THANK_YOU)
    other = make.user(Role.RECRUITER)
    target = url.format(
        candidate=own.id,
        employer=employer.id,
        interview=interview.id,
        step=step.id,
        recruiter=recruiter.id,
        recruiter_b=other.id,
    )

    def measure() -> int:
        with count_queries() as counter:
            assert clients[role].get(target).status_code == 200
        return counter.count

    _grow(make, recruiter, own, employer, 1)
    small = measure()
    _grow(make, recruiter, own, employer, 12)
    large = measure()
    assert large == small, f"{target}: {small} queries with little data, {large} with more"
