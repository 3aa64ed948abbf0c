"""Configuration read from the environment.

Every setting has a safe default for development; production (``PORTAL_ENV=production``)
refuses to start without a real ``SECRET_KEY``.
"""

import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(RuntimeError):
    """The environment does not describe a runnable portal."""


def normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at the psycopg 3 driver we ship."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
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
    return {
        "PORTAL_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL") or default_db
        ),
        "AGENCY_NAME": os.environ.get("AGENCY_NAME", "Finchley Lane Legal Staffing"),
        "PORTAL_TIMEZONE": timezone,
        "PAGE_SIZE": int(os.environ.get("PAGE_SIZE", "25")),
        "SESSION_COOKIE_SECURE": env == "production",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "SQLALCHEMY_ECHO": _flag("SQLALCHEMY_ECHO"),
        # argon2id cost; tests lower it to keep the suite quick.
        "PASSWORD_TIME_COST": 3,
        "PASSWORD_MEMORY_COST": 64 * 1024,
    }


def _development_secret(instance: Path) -> str:
    """A per-checkout random key, kept so sign-ins survive a restart."""
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
