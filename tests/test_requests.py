"""Requests the portal refuses cleanly: files where text belongs, oversized bodies, hosts
that are not the portal's, line breaks in single-line fields. Never a 500."""

import io

import pytest
from sqlalchemy import func, select
from test_fuzz import URL_MAP_APP, concrete, routes, row_counts, signed_in, who_for

from portal import create_app
from portal.extensions import db
from portal.models import Employer, Role
from portal.web.hosts import host_is_valid


@pytest.mark.parametrize("rule", routes(URL_MAP_APP, "POST"))
def test_every_form_refuses_a_file_where_text_belongs(app, world, rule):
    client = signed_in(app, world, who_for(rule))
    before = row_counts(app)
    response = client.post(
        concrete(rule, world),
        data={"email": (io.BytesIO(b"a@example.com"), "email.txt"), "name": "x"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400, rule
    assert "takes text, not files" in response.get_data(as_text=True)
    assert row_counts(app) == before


@pytest.mark.parametrize("path", ["/login", "/forgot-password", "/candidates/new"])
def test_an_oversized_body_is_refused_before_it_is_read(app, world, path):
    client = app.test_client()
    response = client.post(path, data={"email": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "more than the portal takes in one request" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "host",
    ["a" * 64 + ".example", "bad host", "portal.example:port", "exa mple.com", "-dash.example"],
)
def test_a_host_that_is_no_host_name_answers_400(client, host):
    response = client.get("/login", headers={"Host": host})
    assert response.status_code == 400 and b"Bad request" in response.data


@pytest.mark.parametrize(
    "host, valid",
    [
        ("portal.agency.example", True),
        ("portal.agency.example:8443", True),
        ("127.0.0.1:5000", True),
        ("[::1]:5000", True),
        ("a" * 63 + ".ca", True),
        ("a" * 64 + ".ca", False),
        ("under_score.ca", False),
        ("x" * 254, False),
    ],
)
def test_host_names(host, valid):
    assert host_is_valid(host) is valid


def test_production_answers_only_to_its_own_address(monkeypatch, database_url):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PORTAL_URL", "https://portal.agency.example")
    monkeypatch.setenv("MAIL_SERVER", "smtp.agency.example")
    monkeypatch.setenv("TRUSTED_HOSTS", "10.0.0.5")
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    client = app.test_client()
    assert client.get("/healthz", headers={"Host": "portal.agency.example"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "10.0.0.5:8000"}).status_code == 200
    forged = client.get("/forgot-password", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("name", ["Acme\nLLP", "Acme\rLLP", "Acme\tLLP", "Acme\u2028LLP"])
def test_a_single_line_field_refuses_a_line_break_and_a_note_keeps_them(login_as, app, name):
    client = login_as(Role.RECRUITER)
    response = client.post("/employers/new", data={"name": name, "kind": "law_firm"})
    assert response.status_code == 422 and "Keep this on one line." in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(Employer.id))) == 0
    kept = client.post(
        "/employers/new",
        data={
            "name": "Acme LLP",
            "kind": "law_firm",
            "preferred_channel": "none",
            "notes": "- first\n- second",
        },
    )
    assert kept.status_code == 302


@pytest.mark.parametrize("rule", routes(URL_MAP_APP, "POST"))
def test_every_form_refuses_an_oversized_body_and_an_odd_host(app, world, rule):
    client = signed_in(app, world, who_for(rule))
    url = concrete(rule, world)
    before = row_counts(app)
    # Over the portal's limit, or over a form's own where it takes a file (the résumé's).
    view = app.view_functions[_endpoint(app, rule)]
    size = getattr(view, "takes_files_up_to", 1024 * 1024) + 1024 * 1024
    assert client.post(url, data={"notes": "x" * size}).status_code == 413, rule
    assert client.post(url, data={}, headers={"Host": "a" * 64 + ".ca"}).status_code == 400
    assert row_counts(app) == before


def _endpoint(app, rule: str) -> str:
    return next(r.endpoint for r in app.url_map.iter_rules() if r.rule == rule)
