"""Configuration from the environment."""

import pytest

from portal import create_app
from portal.config import ConfigError, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY must be set"):
        create_app()


def test_production_with_a_key_uses_secure_cookies(monkeypatch):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_keeps_a_generated_key_across_restarts(monkeypatch):
    monkeypatch.delenv("PORTAL_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    first, second = create_app(), create_app()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert len(first.config["SECRET_KEY"]) >= 32


@pytest.mark.parametrize("name, value, message", [
    ("PORTAL_ENV", "staging", "PORTAL_ENV must be"),
    ("PORTAL_TIMEZONE", "Mars/Olympus", "not a known time zone"),
])
def test_bad_settings_are_refused_with_a_reason(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app()


def test_settings_reach_the_pages(monkeypatch):
    monkeypatch.setenv("AGENCY_NAME", "Queensway Legal Recruiting")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app({"TESTING": True})
    assert "Queensway Legal Recruiting" in app.test_client().get("/login").get_data(as_text=True)


@pytest.mark.parametrize("url, expected", [
    ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
    ("sqlite:///x.db", "sqlite:///x.db"),
])
def test_database_urls_use_psycopg3(url, expected):
    assert normalise_database_url(url) == expected
