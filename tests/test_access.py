"""Who may reach which route: every route, every method, every role.

The table is checked against the app's own URL map, so a new route without a rule
here fails the suite.
"""

import pytest

from portal.extensions import db
from portal.models import Role, User

ROLES = [
    "anonymous",
    "candidate_a",
    "candidate_b",
    "recruiter_a",
    "recruiter_b",
    "admin",
    "deactivated",
]

SIGN_IN = 302  # anonymous visitors are sent to the sign-in page

# Expected status by role, in ROLES order.
STAFF_PAGE = (SIGN_IN, 403, 403, 200, 200, 200)
STAFF_FORM_POST = (SIGN_IN, 403, 403, 422, 422, 422)
OWN_CANDIDATE_PAGE = (SIGN_IN, 403, 403, 200, 404, 200)
OWN_CANDIDATE_POST = (SIGN_IN, 403, 403, 422, 404, 422)
ADMIN_PAGE = (SIGN_IN, 403, 403, 403, 403, 200)
ADMIN_FORM_POST = (SIGN_IN, 403, 403, 403, 403, 422)
ADMIN_POST_NOT_FOUND = (SIGN_IN, 403, 403, 403, 403, 404)
CANDIDATE_PAGE = (SIGN_IN, 200, 200, 403, 403, 403)
SIGNED_IN_PAGE = (SIGN_IN, 200, 200, 200, 200, 200)
SIGNED_IN_POST = (SIGN_IN, 422, 422, 422, 422, 422)

MATRIX = {
    ("/", "GET"): (302, 302, 302, 302, 302, 302),
    ("/login", "GET"): (200, 302, 302, 302, 302, 302),
    ("/login", "POST"): (422, 302, 302, 302, 302, 302),
    ("/logout", "POST"): (SIGN_IN, 302, 302, 302, 302, 302),
    ("/account/password", "GET"): SIGNED_IN_PAGE,
    ("/account/password", "POST"): SIGNED_IN_POST,
    ("/account/sessions", "GET"): SIGNED_IN_PAGE,
    ("/account/sessions/end-others", "POST"): (SIGN_IN, 303, 303, 303, 303, 303),
    ("/account/sessions/<int:session_id>/end", "POST"): (SIGN_IN, 404, 404, 404, 404, 404),
    ("/dashboard", "GET"): STAFF_PAGE,
    ("/candidates", "GET"): STAFF_PAGE,
    ("/candidates/new", "GET"): STAFF_PAGE,
    ("/candidates/new", "POST"): STAFF_FORM_POST,
    ("/candidates/<int:candidate_id>", "GET"): OWN_CANDIDATE_PAGE,
    ("/candidates/<int:candidate_id>/edit", "GET"): OWN_CANDIDATE_PAGE,
    ("/candidates/<int:candidate_id>/edit", "POST"): OWN_CANDIDATE_POST,
    ("/candidates/<int:candidate_id>/interviews/new", "GET"): OWN_CANDIDATE_PAGE,
    ("/candidates/<int:candidate_id>/interviews/new", "POST"): OWN_CANDIDATE_POST,
    ("/interviews/<int:interview_id>", "GET"): OWN_CANDIDATE_PAGE,
    ("/interviews/<int:interview_id>/edit", "GET"): OWN_CANDIDATE_PAGE,
    ("/interviews/<int:interview_id>/edit", "POST"): OWN_CANDIDATE_POST,
    ("/employers", "GET"): STAFF_PAGE,
    ("/employers/new", "GET"): STAFF_PAGE,
    ("/employers/new", "POST"): STAFF_FORM_POST,
    ("/employers/<int:employer_id>", "GET"): STAFF_PAGE,
    ("/employers/<int:employer_id>/edit", "GET"): STAFF_PAGE,
    ("/employers/<int:employer_id>/edit", "POST"): STAFF_FORM_POST,
    ("/jobs", "GET"): STAFF_PAGE,
    ("/jobs/new", "GET"): STAFF_PAGE,
    ("/jobs/new", "POST"): STAFF_FORM_POST,
    ("/jobs/<int:job_id>/edit", "GET"): STAFF_PAGE,
    ("/jobs/<int:job_id>/edit", "POST"): STAFF_FORM_POST,
    ("/jobs/<int:job_id>", "GET"): STAFF_PAGE,
    # The job has no description yet: publishing shows the form with the reasons.
    ("/jobs/<int:job_id>/publish", "POST"): STAFF_FORM_POST,
    # Nothing is up: staff are told so and sent back.
    ("/jobs/<int:job_id>/take-down", "POST"): (SIGN_IN, 403, 403, 303, 303, 303),
    ("/admin/", "GET"): (SIGN_IN, 403, 403, 403, 403, 302),
    ("/admin/users", "GET"): ADMIN_PAGE,
    ("/admin/users/new", "GET"): ADMIN_PAGE,
    ("/admin/users/new", "POST"): ADMIN_FORM_POST,
    ("/admin/users/<int:user_id>", "GET"): ADMIN_PAGE,
    ("/admin/users/<int:user_id>/deactivate", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    ("/admin/users/<int:user_id>/activate", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    ("/admin/users/<int:user_id>/unlock", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    ("/admin/users/<int:user_id>/invite", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    ("/admin/users/<int:user_id>/edit", "GET"): ADMIN_PAGE,
    ("/admin/users/<int:user_id>/edit", "POST"): ADMIN_FORM_POST,
    ("/admin/users/<int:user_id>/handover", "GET"): ADMIN_PAGE,
    ("/admin/users/<int:user_id>/handover", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    ("/admin/candidates/unassigned", "GET"): ADMIN_PAGE,
    ("/admin/candidates/unassigned", "POST"): ADMIN_FORM_POST,
    ("/admin/users/<int:user_id>/sessions/end", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    ("/admin/users/<int:user_id>/sessions/<int:session_id>/end", "POST"): ADMIN_POST_NOT_FOUND,
    ("/admin/candidates", "GET"): ADMIN_PAGE,
    ("/admin/candidates/<int:candidate_id>/assignment", "GET"): ADMIN_PAGE,
    ("/admin/candidates/<int:candidate_id>/assignment", "POST"): ADMIN_FORM_POST,
    ("/me/", "GET"): CANDIDATE_PAGE,
    ("/steps/<int:step_id>", "GET"): OWN_CANDIDATE_PAGE,
    ("/steps/<int:step_id>/done", "POST"): OWN_CANDIDATE_POST,
    ("/steps/<int:step_id>/waive", "POST"): OWN_CANDIDATE_POST,
    # Nothing to undo on a fresh step: the page says so and sends the person back.
    ("/steps/<int:step_id>/undo", "POST"): (SIGN_IN, 403, 403, 303, 404, 303),
    ("/queue", "GET"): STAFF_PAGE,
    ("/reports/compliance", "GET"): STAFF_PAGE,
    ("/reports/compliance.csv", "GET"): STAFF_PAGE,
    ("/admin/policy", "GET"): ADMIN_PAGE,
    ("/admin/policy", "POST"): ADMIN_FORM_POST,
    ("/admin/policy/progress.json", "GET"): ADMIN_PAGE,
    # Nothing to apply: the admin is told so and sent back.
    ("/admin/policy/apply", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    ("/forgot-password", "GET"): (200, 200, 200, 200, 200, 200),
    ("/forgot-password", "POST"): (422, 422, 422, 422, 422, 422),
    # An unknown token is a clear page for everyone (see test_accounts for real ones).
    ("/account/set-password/<token>", "GET"): (404, 404, 404, 404, 404, 404),
    ("/account/set-password/<token>", "POST"): (404, 404, 404, 404, 404, 404),
    ("/account/confirm-email/<token>", "GET"): (404, 404, 404, 404, 404, 404),
    ("/account/confirm-email/<token>", "POST"): (404, 404, 404, 404, 404, 404),
    # Candidate A already has a password: the recruiter is told so and sent back.
    ("/candidates/<int:candidate_id>/invite", "POST"): (SIGN_IN, 403, 403, 303, 404, 303),
    ("/candidates/<int:candidate_id>/checklist.pdf", "GET"): OWN_CANDIDATE_PAGE,
    ("/interviews/<int:interview_id>/drafts/<slug>", "GET"): OWN_CANDIDATE_PAGE,
    ("/interviews/<int:interview_id>/drafts/<slug>/print", "GET"): OWN_CANDIDATE_PAGE,
    # The candidate's own pages: candidate A's interview and step, so B finds nothing.
    ("/me/checklist.pdf", "GET"): CANDIDATE_PAGE,
    ("/me/interviews/<int:interview_id>/drafts/<slug>", "GET"): (SIGN_IN, 200, 404, 403, 403, 403),
    ("/me/interviews/<int:interview_id>/drafts/<slug>/print", "GET"): (
        SIGN_IN,
        200,
        404,
        403,
        403,
        403,
    ),
    # The interview is still ahead: A is told to mark it once it is over, and sent back.
    ("/me/steps/<int:step_id>/sent", "POST"): (SIGN_IN, 303, 404, 403, 403, 403),
    # Nothing of A's own marking to take back: the page says so and sends A back.
    ("/me/steps/<int:step_id>/undo", "POST"): (SIGN_IN, 303, 404, 403, 403, 403),
    ("/account/calendar", "GET"): (SIGN_IN, 200, 200, 200, 200, 403),
    ("/account/calendar/link", "POST"): (SIGN_IN, 303, 303, 303, 303, 403),
    # A token nobody holds (see test_feeds for real ones).
    ("/calendar/<token>.ics", "GET"): (404, 404, 404, 404, 404, 404),
    ("/account/notifications", "GET"): SIGNED_IN_PAGE,
    ("/account/notifications", "POST"): (SIGN_IN, 303, 303, 303, 303, 303),
    ("/admin/outbox", "GET"): ADMIN_PAGE,
    # No reminder has this id: the admin is told so; everyone else is refused first.
    ("/admin/outbox/<int:email_id>/retry", "POST"): (SIGN_IN, 403, 403, 403, 403, 404),
    ("/healthz", "GET"): (200, 200, 200, 200, 200, 200),
    ("/account/confirm", "GET"): SIGNED_IN_PAGE,
    ("/account/confirm", "POST"): SIGNED_IN_POST,
    ("/admin/audit", "GET"): ADMIN_PAGE,
    ("/admin/retention", "GET"): ADMIN_PAGE,
    # The public form: the test job has no posting up, so there is nothing to apply to.
    ("/apply/<int:job_id>", "GET"): (404, 404, 404, 404, 404, 404),
    ("/apply/<int:job_id>", "POST"): (404, 404, 404, 404, 404, 404),
    ("/apply/<int:job_id>/sent", "GET"): (404, 404, 404, 404, 404, 404),
    ("/privacy", "GET"): (200, 200, 200, 200, 200, 200),
    # No résumé has that id (see test_applications for real ones and who may have them).
    ("/candidates/<int:candidate_id>/resumes/<int:resume_id>", "GET"): (
        SIGN_IN,
        403,
        403,
        404,
        404,
        404,
    ),
    # No posting copy with that id is past its three years.
    ("/admin/retention/postings/<int:posting_id>/delete", "POST"): ADMIN_POST_NOT_FOUND,
    ("/admin/candidates/<int:candidate_id>/export.json", "GET"): ADMIN_PAGE,
    ("/admin/candidates/<int:candidate_id>/erase", "GET"): ADMIN_PAGE,
    ("/admin/candidates/<int:candidate_id>/erase", "POST"): ADMIN_FORM_POST,
    # Imports: an upload waiting for confirmation (see test_intake_import).
    ("/admin/imports", "GET"): ADMIN_PAGE,
    ("/admin/imports", "POST"): ADMIN_FORM_POST,
    ("/admin/imports/<int:batch_id>", "GET"): ADMIN_PAGE,
    ("/admin/imports/<int:batch_id>/columns", "POST"): ADMIN_FORM_POST,
    ("/admin/imports/<int:batch_id>/start", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    ("/admin/imports/<int:batch_id>/progress.json", "GET"): ADMIN_PAGE,
    # The report is there once the import is done.
    ("/admin/imports/<int:batch_id>/report.csv", "GET"): ADMIN_POST_NOT_FOUND,
    ("/admin/imports/<int:batch_id>/discard", "POST"): (SIGN_IN, 403, 403, 403, 403, 303),
    # Duplicates: the pair is candidate A (recruiter A's) and candidate B (recruiter B's), so
    # neither recruiter sees it, and each is told there is nothing there.
    ("/duplicates", "GET"): STAFF_PAGE,
    ("/duplicates/<int:pair_id>/dismiss", "POST"): (SIGN_IN, 403, 403, 404, 404, 303),
    ("/duplicates/<int:pair_id>/merge", "GET"): (SIGN_IN, 403, 403, 404, 404, 200),
    ("/duplicates/<int:pair_id>/merge", "POST"): (SIGN_IN, 403, 403, 404, 404, 422),
    ("/candidates/<int:candidate_id>/merges", "GET"): OWN_CANDIDATE_PAGE,
    # No merge into candidate A has that id (see test_intake_merge for real ones).
    ("/candidates/<int:candidate_id>/merges/<int:merge_id>/undo", "POST"): (
        SIGN_IN,
        403,
        403,
        404,
        404,
        404,
    ),
}

PUBLIC = {"/static/<path:filename>", "/design/<path:filename>"}

# Values every form refuses, so an allowed role gets its form back with errors (422).
INVALID_FORM = {
    "name": "",
    "title": "",
    "email": "",
    "password": "",
    "current_password": "",
    "starts_at": "",
    "recruiter_id": "not-a-number",
    "employer_id": "not-a-number",
}


def test_every_route_has_a_rule(app):
    routes = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule not in PUBLIC
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routes - MATRIX.keys() == set(), "add these routes to the access matrix"
    assert MATRIX.keys() - routes == set(), "these rules name routes that no longer exist"


def _client_for(role, world, app, login_as):
    if role == "anonymous":
        return app.test_client()
    if role == "deactivated":  # signed in, then deactivated by an admin: treated as signed out
        user = world.make.user(Role.RECRUITER)
        client = login_as(Role.RECRUITER, user=user)
        with app.app_context():
            db.session.get(User, user.id).active = False
            db.session.commit()
        return client
    user = {
        "candidate_a": world.user_a,
        "candidate_b": world.user_b,
        "recruiter_a": world.recruiter_a,
        "recruiter_b": world.recruiter_b,
        "admin": world.admin,
    }[role]
    return login_as(user.role, user=user)


def _intake_ids(app, world) -> dict[str, int]:
    """A likely duplicate pair across the two recruiters, and an upload to import."""
    from datetime import UTC, datetime

    from portal.models import DuplicatePair, ImportBatch

    with app.app_context():
        pair = DuplicatePair(
            first_id=world.candidate_a.id,
            second_id=world.candidate_b.id,
            reasons="name_city",
            found_through="import",
            found_at=datetime.now(UTC),
        )
        batch = ImportBatch(
            kind="candidates",
            file_name="agency.csv",
            content=b"name,email,role\nNew Person,new.person@example.com,paralegal\n",
            mapping=["name", "email", "role_sought"],
            rows=1,
        )
        db.session.add_all([pair, batch])
        db.session.commit()
        return {"pair_id": pair.id, "batch_id": batch.id}


def _url(rule: str, world, intake: dict[str, int] | None = None) -> str:
    intake = intake or {}
    return (
        rule.replace("<int:pair_id>", str(intake.get("pair_id", 999999)))
        .replace("<int:batch_id>", str(intake.get("batch_id", 999999)))
        .replace("<int:merge_id>", "999999")
        .replace("<int:candidate_id>", str(world.candidate_a.id))
        .replace("<int:interview_id>", str(world.interview_a.id))
        .replace("<int:employer_id>", str(world.employer.id))
        .replace("<int:job_id>", str(world.job.id))
        .replace("<int:user_id>", str(world.recruiter_b.id))
        .replace("<int:step_id>", str(world.step_a.id))
        .replace("<token>", "not-a-token-we-sent")
        .replace("<slug>", "thank-you")
        .replace("<int:email_id>", "999999")
        .replace("<int:session_id>", "999999")
        .replace("<int:posting_id>", "999999")
        .replace("<int:resume_id>", "999999")
    )


@pytest.mark.parametrize("rule, method", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_access(app, world, login_as, role, rule, method):
    client = _client_for(role, world, app, login_as)
    # A deactivated person's session is refused: they get what an anonymous visitor gets.
    expected = MATRIX[(rule, method)][0 if role == "deactivated" else ROLES.index(role)]
    intake = _intake_ids(app, world) if "pair_id" in rule or "batch_id" in rule else None
    response = client.open(_url(rule, world, intake), method=method, data=INVALID_FORM)
    assert response.status_code == expected, f"{role} {method} {rule}"
    if expected == SIGN_IN and role in ("anonymous", "deactivated") and rule not in {"/"}:
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/candidates/999999",
        "/candidates/999999/edit",
        "/candidates/999999/interviews/new",
        "/interviews/999999",
        "/interviews/999999/edit",
        "/employers/999999",
        "/employers/999999/edit",
        "/jobs/999999/edit",
        "/jobs/999999",
        "/admin/users/999999",
        "/admin/candidates/999999/assignment",
        "/steps/999999",
    ],
)
def test_unknown_ids_are_not_found(login_as, url):
    client = login_as(Role.ADMIN)
    response = client.get(url)
    assert response.status_code == 404
    assert "There is nothing here" in response.get_data(as_text=True)


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Not found" in response.get_data(as_text=True)
