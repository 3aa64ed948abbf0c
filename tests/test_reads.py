"""GET reads, POST writes: no page of the URL map writes to the database when opened.

Every GET route is opened by every role, on an ordinary interview and on one logged
before steps were stored; the SQL sent meanwhile is watched. The only writes allowed
are the audit lines that downloads and exports are meant to leave, and the health
check's write probe, which is always rolled back.
"""

import pytest
from sqlalchemy import delete, event

from portal.accounts.links import issue_link, link_token
from portal.extensions import db
from portal.models import LinkPurpose, Role, Step, User
from test_access import PUBLIC, ROLES, _client_for

# Downloads of personal data: each leaves one line in the audit trail, on purpose.
AUDITED_DOWNLOADS = {
    "/reports/compliance.csv",
    "/admin/candidates/<int:candidate_id>/export.json",
    "/candidates/<int:candidate_id>/checklist.pdf",
    "/me/checklist.pdf",
}
WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE", "MERGE")
# /healthz asks the database to take a write, and rolls it back: nothing is changed.
HEALTH_PROBE = "UPDATE alembic_version SET version_num = version_num"


@pytest.fixture
def tokens(app, world):
    """A calendar link and an unspent password link that really exist."""
    with app.test_request_context():
        user_a = db.session.get(User, world.user_a.id)
        user_a.calendar_token = "calendar-token-of-casey-alpha-000000"
        newcomer = User(email="newcomer@example.com", name="Nia Newcomer", role=Role.CANDIDATE)
        db.session.add(newcomer)
        db.session.flush()
        token = link_token(issue_link(newcomer, LinkPurpose.INVITE, by=None))
        db.session.commit()
    return {"calendar": "calendar-token-of-casey-alpha-000000", "link": token}


def _url(rule: str, world, tokens) -> str:
    token = tokens["link"] if "set-password" in rule else tokens["calendar"]
    return (
        rule.replace("<int:candidate_id>", str(world.candidate_a.id))
        .replace("<int:interview_id>", str(world.interview_a.id))
        .replace("<int:employer_id>", str(world.employer.id))
        .replace("<int:job_id>", str(world.job.id))
        .replace("<int:user_id>", str(world.recruiter_a.id))
        .replace("<int:step_id>", str(world.step_a.id))
        .replace("<token>", token)
        .replace("<slug>", "thank-you")
        .replace("<int:email_id>", "999999")
        .replace("<int:session_id>", "1")
        .replace("<int:posting_id>", "1")
        .replace("<int:resume_id>", "1")
    )


class Writes:
    """The writing statements sent to the database while it is active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []
        self.commits = 0

    def __call__(self, conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(WRITES):
            self.statements.append(" ".join(statement.split())[:120])

    def _committed(self, conn):
        self.commits += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self)
        event.listen(self.engine, "commit", self._committed)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self)
        event.remove(self.engine, "commit", self._committed)


@pytest.mark.parametrize("steps_stored", [True, False], ids=["steps", "no-steps-yet"])
@pytest.mark.parametrize("role", ROLES)
def test_no_get_writes(app, world, tokens, login_as, role, steps_stored):
    if not steps_stored:  # an interview logged before the portal stored steps
        with app.app_context():
            db.session.execute(delete(Step).where(Step.interview_id == world.interview_a.id))
            db.session.commit()
    client = _client_for(role, world, app, login_as)
    rules = sorted(
        r.rule for r in app.url_map.iter_rules() if "GET" in r.methods and r.rule not in PUBLIC
    )
    with app.app_context():
        engine = db.engine
    opened = 0
    for rule in rules:
        with Writes(engine) as writes:
            response = client.get(_url(rule, world, tokens))
        assert response.status_code < 500, f"{role} GET {rule}"
        opened += response.status_code == 200
        allowed = rule in AUDITED_DOWNLOADS and response.status_code == 200
        if rule == "/healthz":
            assert writes.statements == [HEALTH_PROBE] and writes.commits == 0, writes.statements
            continue
        unexpected = [s for s in writes.statements if not (allowed and "INTO audit_events" in s)]
        assert unexpected == [], f"{role} GET {rule} wrote: {unexpected}"
        if allowed:
            assert any("INTO audit_events" in s for s in writes.statements), rule
    assert opened >= 3  # every role reaches some pages (a test that opens nothing proves nothing)
