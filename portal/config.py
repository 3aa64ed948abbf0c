"""Configuration read from the environment.

Every setting has a safe default for development; production (``PORTAL_ENV=production``)
refuses to start without a real ``SECRET_KEY``.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(RuntimeError):
    """The environment does not describe a runnable portal."""


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def from_environment(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables."""
    env = os.environ.get("PORTAL_ENV", "development").strip().lower()
    if env not in {"development", "production"}:
        raise ConfigError(f"PORTAL_ENV must be 'development' or 'production', not {env!r}")

    secret_key = os.environ.get("SECRET_KEY")
    if not secret_key:
        if env == "production":
            raise ConfigError("SECRET_KEY must be set when PORTAL_ENV=production")
        secret_key = _development_secret(Path(instance_path))

    timezone = os.environ.get("PORTAL_TIMEZONE", "America/Toronto")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"PORTAL_TIMEZONE {timezone!r} is not a known time zone") from exc

    default_db = "sqlite:///" + str(Path(instance_path) / "portal.sqlite3")
    agency_name = os.environ.get("AGENCY_NAME", "Finchley Lane Legal Staffing")
    return {
        "PORTAL_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        ),
        "AGENCY_NAME": agency_name,
        "PORTAL_URL": _portal_url(env),
        # Production answers only to the portal's own address (400 for any other Host).
        "TRUSTED_HOSTS": _trusted_hosts(env),
        # No form here is large: refuse a big body (413) before it is read.
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 256 * 1024,
        "MAX_FORM_PARTS": 200,
        # A form's CSRF token lasts as long as the application form may stay open (6 hours;
        # jobs.applications.MAX_FORM_AGE): it ties a form to its origin; a signed-in
        # person's session ends on its own (SESSION_IDLE_MINUTES).
        "WTF_CSRF_TIME_LIMIT": 6 * 3600,
        **_mail_settings(env, agency_name),
        "INVITE_LINK_HOURS": 72,
        "RESET_LINK_HOURS": 2,
        "ADVICE_SITE_URL": _advice_site_url(env),
        # Résumés sent with applications: outside the web root, readable by the portal only.
        "RESUME_FOLDER": os.environ.get("RESUME_FOLDER") or str(Path(instance_path) / "resumes"),
        "CONTENT_DIR": os.environ.get("CONTENT_DIR")
        or str(Path(__file__).resolve().parent.parent / "content"),
        "PORTAL_TIMEZONE": timezone,
        "PAGE_SIZE": int(os.environ.get("PAGE_SIZE", "25")),
        "SESSION_COOKIE_SECURE": env == "production",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SQLALCHEMY_ECHO": _flag("SQLALCHEMY_ECHO"),
        # A dropped connection is noticed and replaced, so the app recovers when the database returns.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # SQLite: how long a write waits for another's lock before it fails.
        "SQLITE_BUSY_TIMEOUT_MS": _number("SQLITE_BUSY_TIMEOUT_MS", 5000, 100, 60_000),
        # Once the mail server has taken an email, how long recording that may wait for a
        # database that went away (then the next run settles it, without sending it again).
        "OUTBOX_DATABASE_PATIENCE": _number("OUTBOX_DATABASE_PATIENCE", 60, 1, 600),
        "SESSION_IDLE_MINUTES": _number("SESSION_IDLE_MINUTES", 60, 5, 24 * 60),
        "SESSION_HOURS": _number("SESSION_HOURS", 12, 1, 24 * 7),
        "REMEMBER_COOKIE_DURATION": timedelta(days=_number("REMEMBER_DAYS", 14, 1, 90)),
        "TRUSTED_PROXIES": _number("TRUSTED_PROXIES", 0, 0, 5),
        # Candidates with no change, interview or sign-in for this long are listed for review.
        "RETENTION_MONTHS": _number("RETENTION_MONTHS", 24, 1, 120),
        # argon2id cost; tests lower it to keep the suite quick.
        "PASSWORD_TIME_COST": 3,
        "PASSWORD_MEMORY_COST": 64 * 1024,
    }


def _portal_url(env: str) -> str | None:
    """The address people reach the portal at, for links in emails.

    Production must say it: a link built from the request's Host header could be pointed
    at another site by whoever sends the request (password-reset poisoning)."""
    url = (os.environ.get("PORTAL_URL") or "").strip().rstrip("/")
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"PORTAL_URL must start with http:// or https://, not {url!r}")
    if not url and env == "production":
        raise ConfigError(
            "PORTAL_URL must be set when PORTAL_ENV=production (for example https://portal.agency.example)"
        )
    return url or None


def _trusted_hosts(env: str) -> list[str] | None:
    """The host names the portal answers to: in production the host of PORTAL_URL, and any
    listed in TRUSTED_HOSTS (for example the address a load balancer's health check uses).
    Development answers to any valid host name."""
    extra = [h.strip().lower() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()]
    if env != "production":
        return extra or None
    host = urlsplit(_portal_url(env) or "").hostname
    return [h for h in (host, *extra) if h]


def _advice_site_url(env: str) -> str | None:
    """Where the portal's step advice links to. Production: the base_url of content/site.yml
    (None) unless set; development: nowhere ("") unless set, since no advice site is served
    there (``make serve-site`` serves one on http://127.0.0.1:8000/)."""
    url = os.environ.get("ADVICE_SITE_URL")
    if url is None:
        return None if env == "production" else ""
    url = url.strip()
    if url and not url.startswith(("http://", "https://")):
        raise ConfigError(f"ADVICE_SITE_URL must start with http:// or https://, not {url!r}")
    return url.rstrip("/") + "/" if url else ""


def _mail_settings(env: str, agency_name: str) -> dict:
    """SMTP settings; without MAIL_SERVER, development writes mail to the log instead."""
    server = (os.environ.get("MAIL_SERVER") or "").strip()
    backend = (os.environ.get("MAIL_BACKEND") or ("smtp" if server else "log")).strip().lower()
    if backend not in {"smtp", "log"}:
        raise ConfigError(f"MAIL_BACKEND must be 'smtp' or 'log', not {backend!r}")
    if backend == "smtp" and not server:
        raise ConfigError("MAIL_SERVER must be set to send mail by SMTP")
    if backend == "log" and env == "production" and "MAIL_BACKEND" not in os.environ:
        raise ConfigError(
            "MAIL_SERVER must be set when PORTAL_ENV=production (or MAIL_BACKEND=log to only log mail)"
        )
    port = os.environ.get("MAIL_PORT", "25")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"MAIL_PORT must be a port number, not {port!r}")
    return {
        "MAIL_BACKEND": backend,
        "MAIL_SERVER": server,
        "MAIL_PORT": int(port),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS"),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM") or f"{agency_name} <portal@localhost>",
        "MAIL_TIMEOUT": 15,
    }


def _number(name: str, default: int, low: int, high: int) -> int:
    value = os.environ.get(name, str(default)).strip()
    if not value.isdigit() or not low <= int(value) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return int(value)


def _development_secret(instance: Path) -> str:
    """A per-checkout random key, kept so sign-ins survive a restart."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
