"""Configuration from the environment."""

import pytest

from portal import create_app
from portal.config import ConfigError, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        create_app()


def _production(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.setenv("PORTAL_URL", "https://portal.agency.example/")
    monkeypatch.setenv("MAIL_SERVER", "smtp.agency.example")


def test_production_with_a_key_uses_secure_cookies(monkeypatch):
    _production(monkeypatch)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_the_advice_links_go_to_the_site_only_where_there_is_one(monkeypatch):
    """Production links the step advice to content's base_url; development, which serves no
    advice site, leaves the links out unless ADVICE_SITE_URL says where one is."""
    _production(monkeypatch)
    assert create_app().config["ADVICE_SITE_URL"] is None  # the base_url of content/site.yml
    monkeypatch.setenv("PORTAL_ENV", "development")
    assert create_app().config["ADVICE_SITE_URL"] == ""
    monkeypatch.setenv("ADVICE_SITE_URL", "http://127.0.0.1:8000")
    assert create_app().config["ADVICE_SITE_URL"] == "http://127.0.0.1:8000/"


def test_development_keeps_a_generated_key_across_restarts(monkeypatch):
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    first, second = create_app(), create_app()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("PORTAL_ENV", "staging", "PORTAL_ENV must be"),
        ("PORTAL_TIMEZONE", "Mars/Olympus", "not a known time zone"),
        ("PORTAL_URL", "portal.agency.example", "must start with http"),
        ("MAIL_BACKEND", "pigeon", "MAIL_BACKEND must be"),
        ("MAIL_PORT", "smtp", "MAIL_PORT must be a port number"),
        ("MAIL_PORT", "70000", "MAIL_PORT must be a port number"),
        ("ADVICE_SITE_URL", "advice.agency.example", "ADVICE_SITE_URL must start with http"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_settings_reach_the_pages(monkeypatch):
    monkeypatch.setenv("AGENCY_NAME", "Queensway Legal Recruiting")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app({"TESTING": True})
    assert "Queensway Legal Recruiting" in app.test_client().get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected


@pytest.mark.parametrize(
    "missing, message",
    [
        ("PORTAL_URL", "PORTAL_URL must be set"),
        ("MAIL_SERVER", "MAIL_SERVER must be set"),
    ],
)
def test_production_needs_its_address_and_a_mail_server(monkeypatch, missing, message):
    _production(monkeypatch)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_mail_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    for name, value in {
        "MAIL_SERVER": "smtp.agency.example",
        "MAIL_PORT": "587",
        "MAIL_USE_TLS": "true",
        "MAIL_USERNAME": "portal",
        "MAIL_PASSWORD": "s3cret",
        "MAIL_FROM": "Portal <p@agency.example>",
        "PORTAL_URL": "https://portal.agency.example/",
    }.items():
        monkeypatch.setenv(name, value)
    config = create_app().config
    assert (
        config["MAIL_BACKEND"],
        config["MAIL_SERVER"],
        config["MAIL_PORT"],
        config["MAIL_USE_TLS"],
    ) == ("smtp", "smtp.agency.example", 587, True)
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"], config["MAIL_FROM"]) == (
        "portal",
        "s3cret",
        "Portal <p@agency.example>",
    )
    assert config["PORTAL_URL"] == "https://portal.agency.example"


def test_development_without_a_mail_server_logs_mail(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    monkeypatch.delenv("MAIL_SERVER", raising=False)
    monkeypatch.delenv("MAIL_BACKEND", raising=False)
    assert create_app().config["MAIL_BACKEND"] == "log"
