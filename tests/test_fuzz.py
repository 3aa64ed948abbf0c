"""Every form and every query string, fuzzed: never a 500, never a half-written row.

The routes come from the app's own URL map and the field names from its own forms, so a
new page is fuzzed without anyone adding it here.
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from conftest import login
from portal import create_app
from portal.extensions import db
from portal.models import Role
from portal.web.forms import Form

ODD_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "2147483648",
    "99999999999999999999",
    "1e309",
    "NaN",
    "null",
    "\x00",
    "\x00abc",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "../../etc/passwd",
    "2026-02-30",
    "2026-03-08T02:30",
    "9999-12-31T23:59",
    "9999-12-31",
    "0001-01-01",
    "25:61",
    "y",
    "on",
    "true",
    "[]",
    "{}",
    "%00",
    "😀" * 10,
    "ß\u0301\u200b",
    "line one\nline two",
    "\r\n",
    "a\u2028b",
    "tab\tbed",
]
values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=40),
    st.tuples(st.text(min_size=1, max_size=4), st.integers(500, 3000)).map(
        lambda t: t[0] * t[1]
    ),  # far too long
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def field_names() -> list[str]:
    """Every field name of every form in the portal (and the step page's version)."""
    names = {"version", "csrf_token", "page"}
    pending = list(Form.__subclasses__())
    while pending:
        form = pending.pop()
        pending += form.__subclasses__()
        names.update(
            name
            for name in dir(form)
            if not name.startswith("_")
            and getattr(getattr(form, name), "field_class", None) is not None
        )
    return sorted(names)


FIELDS = field_names()
form_data = st.dictionaries(
    st.one_of(st.sampled_from(FIELDS), st.text(max_size=12)), values, max_size=12
)


def routes(app, method: str) -> list[str]:
    return sorted(
        {
            rule.rule
            for rule in app.url_map.iter_rules()
            if method in rule.methods and rule.endpoint not in ("static", "auth.logout")
        }
    )


def who_for(rule: str) -> Role:
    if rule.startswith("/me/"):
        return Role.CANDIDATE
    if rule.startswith("/admin"):
        return Role.ADMIN
    return Role.RECRUITER


def concrete(rule: str, world) -> str:
    step = world.step_a.id
    return (
        rule.replace("<int:candidate_id>", str(world.candidate_a.id))
        .replace("<int:interview_id>", str(world.interview_a.id))
        .replace("<int:employer_id>", str(world.employer.id))
        .replace("<int:job_id>", str(world.job.id))
        .replace("<int:user_id>", str(world.recruiter_b.id))
        .replace("<int:step_id>", str(step))
        .replace("<int:email_id>", "1")
        .replace("<int:session_id>", "1")
        .replace("<int:posting_id>", "1")
        .replace("<int:resume_id>", "1")
        .replace("<token>", "t" * 43)
        .replace("<slug>", "thank-you")
    )


def signed_in(app, world, role: Role):
    user = {
        Role.CANDIDATE: world.user_a,
        Role.ADMIN: world.admin,
        Role.RECRUITER: world.recruiter_a,
    }[role]
    client = app.test_client()
    assert login(client, user).status_code == 302
    return client


def row_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }


# The rules are known before any fixture runs: read them off an app built for that alone.
URL_MAP_APP = create_app(
    {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "rules only", "TESTING": True}
)

FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def test_the_fuzzed_routes_come_from_the_url_map(app):
    assert routes(URL_MAP_APP, "GET") == routes(app, "GET") and routes(
        URL_MAP_APP, "POST"
    ) == routes(app, "POST")
    assert len(routes(app, "GET")) >= 40 and len(routes(app, "POST")) >= 25
    assert {"done_at", "reason", "email", "starts_at", "thank_you_hours"} <= set(FIELDS)


@pytest.mark.parametrize("rule", routes(URL_MAP_APP, "GET"))
@FUZZ
@given(query=form_data)
def test_no_query_string_gets_a_500(app, world, rule, query):
    client = signed_in(app, world, who_for(rule))
    response = client.get(concrete(rule, world), query_string=query)
    assert response.status_code < 500, (rule, query, response.status_code)


@pytest.mark.parametrize("rule", routes(URL_MAP_APP, "POST"))
@FUZZ
@given(data=form_data)
def test_no_form_gets_a_500_or_leaves_a_half_written_row(app, world, rule, data):
    client = signed_in(app, world, who_for(rule))
    before = row_counts(app)
    response = client.post(concrete(rule, world), data=data)
    assert response.status_code < 500, (rule, data, response.status_code)
    if 400 <= response.status_code < 500:
        after = row_counts(app)
        if rule == "/login":  # a refused sign-in is itself recorded, on purpose
            for table in ("sign_in_attempts", "audit_events"):
                before.pop(table), after.pop(table)
        assert after == before, (rule, data, response.status_code)


def test_odd_characters_in_paths_are_not_found_not_errors(app, world):
    client = signed_in(app, world, Role.ADMIN)
    for path in (
        "/candidates/0",
        "/candidates/-1",
        "/candidates/99999999999",
        "/candidates/1.5",
        "/interviews/%00",
        "/steps/😀",
        "/me/interviews/1/drafts/%2e%2e",
        "/calendar/%00.ics",
    ):
        response = client.get(path)
        assert response.status_code in (302, 303, 403, 404), path
