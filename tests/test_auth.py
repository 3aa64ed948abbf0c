"""Signing in and out, and changing one's own password."""

import pytest

from conftest import PASSWORD, login
from portal.models import Role, User

GENERIC = "That email and password do not match an active account."


def test_sign_in_lands_each_role_on_its_home(make, client):
    for role, home in [
        (Role.ADMIN, "/admin/users"),
        (Role.RECRUITER, "/dashboard"),
        (Role.CANDIDATE, "/me/"),
    ]:
        user = make.user(role)
        client = client.application.test_client()
        response = login(client, user)
        assert response.status_code == 302
        assert response.headers["Location"] == home


def test_email_is_matched_without_regard_to_case_or_spaces(make, client):
    make.user(Role.RECRUITER, email="pat.lowther@example.com")
    response = client.post(
        "/login", data={"email": "  Pat.Lowther@Example.COM ", "password": PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "email, password",
    [
        ("recruiter@example.com", "wrong password here"),
        ("nobody@example.com", PASSWORD),
        ("", ""),
    ],
)
def test_failed_sign_in_gives_one_generic_message(make, client, email, password):
    make.user(Role.RECRUITER, email="recruiter@example.com")
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 422
    if email:
        assert GENERIC in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # still signed out


def test_deactivated_account_cannot_sign_in(make, client):
    user = make.user(Role.RECRUITER, active=False)
    response = login(client, user)
    assert response.status_code == 422
    assert GENERIC in response.get_data(as_text=True)


def test_deactivation_ends_an_open_session(app, make, login_as, fetch):
    recruiter = make.user(Role.RECRUITER)
    client = login_as(Role.RECRUITER, user=recruiter)
    assert client.get("/dashboard").status_code == 200
    admin = login_as(Role.ADMIN)
    assert admin.post(f"/admin/users/{recruiter.id}/deactivate").status_code == 303
    assert client.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/candidates?q=x", "/candidates?q=x"),
        ("https://evil.example/steal", "/dashboard"),
        ("//evil.example/steal", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
    ],
)
def test_next_only_redirects_within_the_site(make, client, target, expected):
    user = make.user(Role.RECRUITER)
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == expected


def test_sign_out_needs_a_post_and_ends_the_session(login_as):
    client = login_as(Role.RECRUITER)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.headers["Location"] == "/login"
    assert client.get("/dashboard").status_code == 302


def test_change_password(login_as, app, fetch):
    client = login_as(Role.CANDIDATE)
    response = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a much longer passphrase",
            "confirm": "a much longer passphrase",
        },
    )
    assert response.status_code == 302
    fresh = app.test_client()
    assert login(fresh, client.user).status_code == 422
    assert login(fresh, client.user, "a much longer passphrase").status_code == 302


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {
                "current_password": "not it at all",
                "new_password": "another long one",
                "confirm": "another long one",
            },
            "That is not your current password.",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
            "Use between 12 and 256",
        ),
        (
            {
                "current_password": PASSWORD,
                "new_password": "another long one",
                "confirm": "another long two",
            },
            "The two passwords differ.",
        ),
        (
            {"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD},
            "Choose a password different from the current one.",
        ),
    ],
)
def test_change_password_refusals(login_as, app, data, message):
    client = login_as(Role.RECRUITER)
    response = client.post("/account/password", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert login(app.test_client(), client.user).status_code == 302  # old password still works


def test_csrf_is_required_on_state_changing_forms(app, make):
    user = make.user(Role.RECRUITER)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        response = client.post(
            "/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302
        assert client.post("/candidates/new", data={"name": "X"}).status_code == 400
        assert (
            client.post("/candidates/new", data={"name": "X", "csrf_token": "forged"}).status_code
            == 400
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_passwords_are_stored_as_argon2id(make, fetch):
    user = fetch(User, make.user(Role.RECRUITER).id)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
