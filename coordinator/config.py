"""Settings, read from environment variables, with safe defaults for a laptop.

`load_settings()` is called by `create_app()`, never at import time, so importing the
package opens no files and reads no environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

# The laptop default; production refuses to start with it.
DEFAULT_SECRET_KEY = "dev-only-secret-key-change-me"
ENVIRONMENTS = ("development", "testing", "production")


class ConfigError(RuntimeError):
    """Raised when the settings are unsafe or incomplete for the chosen environment."""


def _env_int(environ: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _env_bool(environ: Mapping[str, str], name: str, default: bool) -> bool:
    raw = environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, got {raw!r}")


def _env_limit(environ: Mapping[str, str], name: str, default: str) -> str:
    from limits import parse_many

    value = environ.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a rate limit such as '5 per hour', got {value!r}") from exc
    return value


def _env_timezone(environ: Mapping[str, str]) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = environ.get("TIMEZONE", "").strip() or "UTC"
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(f"TIMEZONE must be an IANA time zone such as Asia/Bangkok, got {name!r}") from exc
    return name


def _env_phone(environ: Mapping[str, str], env: str) -> str | None:
    # Shown to web visitors as text and dialled from a tel: link: digits and the usual separators.
    raw = " ".join(environ.get("ADMISSIONS_PHONE", "").split())
    if not raw:
        # The laptop demo shows a fictional number (555-01xx numbers are reserved for fiction).
        return "+1 555 010 0100" if env == "development" else None
    if len(raw) > 40 or not re.fullmatch(r"\+?[0-9][0-9 ().-]*[0-9]", raw) or sum(c.isdigit() for c in raw) < 3:
        raise ConfigError(f"ADMISSIONS_PHONE must be a phone number such as +1 555 010 0100, got {raw!r}")
    return raw


def _normalise_database_url(url: str) -> str:
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_settings(instance_path: str, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from the environment (defaults suit a laptop)."""
    environ = os.environ if environ is None else environ
    env = environ.get("COORDINATOR_ENV", "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigError(f"COORDINATOR_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    production = env == "production"

    database_url = environ.get("DATABASE_URL", "").strip()
    if not database_url:
        database_url = "sqlite:///" + str(Path(instance_path) / "coordinator.db")
    redis_url = environ.get("REDIS_URL", "").strip() or None
    migration_url = environ.get("MIGRATION_DATABASE_URL", "").strip()

    idle_minutes = _env_int(environ, "IDLE_TIMEOUT_MINUTES", 15, minimum=1)
    lifetime_hours = _env_int(environ, "SESSION_LIFETIME_HOURS", 12, minimum=1)
    secure_cookies = _env_bool(environ, "SECURE_COOKIES", production)

    return {
        "COORDINATOR_ENV": env,
        "DATABASE_URL_FROM_ENV": bool(environ.get("DATABASE_URL", "").strip()),
        "SECRET_KEY": environ.get("SECRET_KEY", "").strip() or DEFAULT_SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(database_url),
        # Migrations need the tables' owner; the app runs as a role that owns nothing
        # (docs/OPERATIONS.md, "PostgreSQL"). `flask db ...` connects with this URL when set.
        "MIGRATION_DATABASE_URL": _normalise_database_url(migration_url) if migration_url else None,
        # No pre-ping (a SELECT 1 round trip per checkout): closed connections are dropped at
        # checkout for free and the first statement retried (coordinator/database.py); a
        # connection is replaced after POOL_RECYCLE_SECONDS whatever happens.
        "SQLALCHEMY_ENGINE_OPTIONS": {
            "pool_pre_ping": False,
            "pool_recycle": _env_int(environ, "POOL_RECYCLE_SECONDS", 1800, minimum=60),
            "hide_parameters": True,
        },
        "REDIS_URL": redis_url,
        # Sessions: a server-side row per login enforces both limits (coordinator/sessions.py).
        "IDLE_TIMEOUT": timedelta(minutes=idle_minutes),
        "SESSION_LIFETIME": timedelta(hours=lifetime_hours),
        "SESSION_COOKIE_NAME": "__Host-coordinator" if secure_cookies else "coordinator_session",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Staff handle PHI on shared machines: no "remember me" cookie at all.
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the (short) session
        "MAX_CONTENT_LENGTH": _env_int(environ, "MAX_CONTENT_LENGTH", 2 * 1024 * 1024, minimum=1024),
        # Login throttling (Flask-Limiter syntax). Only failed attempts count.
        # Per account and address first, so an attacker's failures do not lock out the owner's
        # device; per account at a much higher threshold (coordinator/sign_in_throttle.py).
        "LOGIN_LIMIT_PER_IP": _env_limit(environ, "LOGIN_LIMIT_PER_IP", "20 per 10 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT_IP": _env_limit(environ, "LOGIN_LIMIT_PER_ACCOUNT_IP", "5 per 15 minutes"),
        "LOGIN_LIMIT_PER_ACCOUNT": _env_limit(environ, "LOGIN_LIMIT_PER_ACCOUNT", "50 per hour"),
        # Multi-factor sign-in (services/mfa.py): wrong codes allowed per account, how long the
        # half-signed-in state between password and code lasts, and the key sealing TOTP secrets
        # (derived from SECRET_KEY when unset; keep it when rotating SECRET_KEY).
        "MFA_CODE_LIMIT": _env_limit(environ, "MFA_CODE_LIMIT", "5 per 15 minutes"),
        "MFA_PENDING_SECONDS": _env_int(environ, "MFA_PENDING_SECONDS", 300, minimum=30),
        "MFA_ENCRYPTION_KEY": environ.get("MFA_ENCRYPTION_KEY", "").strip() or None,
        # The public web inquiry form: accepted submissions per visitor IP.
        "WEB_INQUIRY_LIMIT": _env_limit(environ, "WEB_INQUIRY_LIMIT", "5 per hour"),
        # The JSON API (/api/v1): calls per API key, and the largest request body it reads.
        "API_RATE_LIMIT": _env_limit(environ, "API_RATE_LIMIT", "60 per minute"),
        "API_MAX_BODY_BYTES": _env_int(environ, "API_MAX_BODY_BYTES", 64 * 1024, minimum=1024),
        "RATELIMIT_ENABLED": _env_bool(environ, "RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_KEY_PREFIX": "coordinator-limits",
        "RATELIMIT_STRATEGY": "moving-window",
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": False,
        "PASSWORD_HASH_PROFILE": environ.get("PASSWORD_HASH_PROFILE", "owasp"),
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
        "TRUSTED_PROXY_COUNT": _env_int(environ, "TRUSTED_PROXY_COUNT", 1 if production else 0),
        "LOG_FORMAT": environ.get("LOG_FORMAT", "json" if production else "text"),
        "LOG_LEVEL": environ.get("LOG_LEVEL", "INFO").upper(),
        "DISPLAY_TIMEZONE": _env_timezone(environ),
        "AUDIT_PAGE_SIZE": 50,
        "USERS_PAGE_SIZE": 50,
        # Reminders (coordinator/services/reminders.py, coordinator/outbox/). Email goes over SMTP when
        # SMTP_HOST is set; otherwise it is written to the log (subject and link only).
        "SMTP_HOST": environ.get("SMTP_HOST", "").strip() or None,
        "SMTP_PORT": _env_int(environ, "SMTP_PORT", 587, minimum=1),
        "SMTP_STARTTLS": _env_bool(environ, "SMTP_STARTTLS", production),
        "SMTP_SSL": _env_bool(environ, "SMTP_SSL", False),
        "SMTP_USERNAME": environ.get("SMTP_USERNAME", "").strip() or None,
        "SMTP_PASSWORD": environ.get("SMTP_PASSWORD", "") or None,
        "SMTP_TIMEOUT_SECONDS": _env_int(environ, "SMTP_TIMEOUT_SECONDS", 10, minimum=1),
        "MAIL_FROM": environ.get("MAIL_FROM", "Coordinator <no-reply@coordinator.invalid>"),
        "PUBLIC_BASE_URL": environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "FIRST_CONTACT_MINUTES": _env_int(environ, "FIRST_CONTACT_MINUTES", 15, minimum=1),
        "TASK_OVERDUE_MINUTES": _env_int(environ, "TASK_OVERDUE_MINUTES", 60, minimum=1),
        "DIGEST_HOUR": _env_int(environ, "DIGEST_HOUR", 7, minimum=0),  # 24 or more: no digests
        "REMINDER_MAX_ATTEMPTS": _env_int(environ, "REMINDER_MAX_ATTEMPTS", 5, minimum=1),
        # Seconds to wait before try 2, 3, ...; the last value repeats.
        "REMINDER_BACKOFF_SECONDS": (30, 120, 600, 1800),
        # A reminder handed to a worker but not finished after this long is handed out again.
        "REMINDER_LEASE_SECONDS": _env_int(environ, "REMINDER_LEASE_SECONDS", 600, minimum=5),
        # A send job may run 20 x SMTP_TIMEOUT_SECONDS plus this margin (outbox/queues.py).
        "REMINDER_JOB_MARGIN_SECONDS": _env_int(environ, "REMINDER_JOB_MARGIN_SECONDS", 30, minimum=5),
        # An open reminder this long past due makes /healthz "degraded".
        "REMINDER_LATE_SECONDS": _env_int(environ, "REMINDER_LATE_SECONDS", 120, minimum=10),
        "RELAY_INTERVAL_SECONDS": _env_int(environ, "RELAY_INTERVAL_SECONDS", 5, minimum=1),
        "RELAY_BATCH_SIZE": _env_int(environ, "RELAY_BATCH_SIZE", 500, minimum=1),
        # Without REDIS_URL the web process runs the relay and the send jobs in a thread.
        "INPROCESS_REMINDERS": _env_bool(environ, "INPROCESS_REMINDERS", not redis_url and not production),
        "INQUIRIES_PAGE_SIZE": _env_int(environ, "INQUIRIES_PAGE_SIZE", 25, minimum=5),
        # The pipeline board's cards per column (the rest are counted: "N more").
        "BOARD_CARDS_PER_COLUMN": _env_int(environ, "BOARD_CARDS_PER_COLUMN", 20, minimum=1),
        # How long a break-the-glass grant on a restricted inquiry lasts.
        "BREAK_GLASS_HOURS": _env_int(environ, "BREAK_GLASS_HOURS", 8, minimum=1),
        # Insurance and private pay: billing hears about an authorization's next review and its
        # last covered day this many days ahead, and about an unpaid installment this many days
        # after its due date; these reminders go out at BILLING_REMINDER_HOUR, clinic time.
        "AUTH_REVIEW_NOTICE_DAYS": _env_int(environ, "AUTH_REVIEW_NOTICE_DAYS", 2, minimum=0),
        "AUTH_END_NOTICE_DAYS": _env_int(environ, "AUTH_END_NOTICE_DAYS", 3, minimum=0),
        "INSTALLMENT_GRACE_DAYS": _env_int(environ, "INSTALLMENT_GRACE_DAYS", 1, minimum=0),
        "BILLING_REMINDER_HOUR": _env_int(environ, "BILLING_REMINDER_HOUR", 9, minimum=0),
        # Episodes of care: case managers hear about discharge planning this many days before an
        # authorization of the current level or the planned stay ends; level-of-care reminders go
        # out at CARE_REMINDER_HOUR, clinic time.
        "DISCHARGE_PLANNING_NOTICE_DAYS": _env_int(environ, "DISCHARGE_PLANNING_NOTICE_DAYS", 7, minimum=0),
        "CARE_REMINDER_HOUR": _env_int(environ, "CARE_REMINDER_HOUR", 8, minimum=0),
        # Electronic eligibility (270): the billing provider's name and NPI, and the interchange
        # sender/receiver ids agreed with the clearinghouse (default: the NPI and the payer's id).
        # Development (the laptop demo) uses the sample NPI 1234567893 so a 270 can be built;
        # tests and production have none unless PROVIDER_NPI is set.
        "PROVIDER_NAME": environ.get("PROVIDER_NAME", "").strip() or "Coordinator Clinic",
        "PROVIDER_NPI": environ.get("PROVIDER_NPI", "").strip() or ("1234567893" if env == "development" else None),
        "X12_SENDER_ID": environ.get("X12_SENDER_ID", "").strip() or None,
        "X12_RECEIVER_ID": environ.get("X12_RECEIVER_ID", "").strip() or None,
        # The admissions desk's phone number, shown on the public inquiry form and its problem pages.
        "ADMISSIONS_PHONE": _env_phone(environ, env),
        # The clinic's name on printed statements.
        "CLINIC_NAME": environ.get("CLINIC_NAME", "").strip() or "Coordinator",
        # Largest 271 file staff may upload.
        "X12_MAX_BYTES": _env_int(environ, "X12_MAX_BYTES", 512 * 1024, minimum=1024),
    }


def validate_settings(config: Mapping[str, Any]) -> None:
    """Refuse to start production with unsafe or missing settings."""
    if config.get("COORDINATOR_ENV") != "production":
        return
    from coordinator import secret_key

    problems = []
    secret = config.get("SECRET_KEY") or ""
    if secret == DEFAULT_SECRET_KEY:
        problems.append(f"SECRET_KEY must be set; generate one with: {secret_key.GENERATE}")
    elif weakness := secret_key.weakness(secret):
        problems.append(f"SECRET_KEY is too easy to guess ({weakness}); generate one with: {secret_key.GENERATE}")
    if not config.get("REDIS_URL"):
        problems.append(
            "REDIS_URL must be set (without Redis each worker process keeps its own login throttle "
            "in memory and no reminder is ever relayed), e.g. REDIS_URL=redis://:password@redis.internal:6379/0"
        )
    if not config.get("DATABASE_URL_FROM_ENV"):
        problems.append("DATABASE_URL must be set (production does not use the SQLite default)")
    elif str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("sqlite"):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SECURE_COOKIES must not be turned off in production")
    if config.get("PASSWORD_HASH_PROFILE") != "owasp":
        problems.append("PASSWORD_HASH_PROFILE must be 'owasp' in production")
    if problems:
        raise ConfigError("Refusing to start in production: " + "; ".join(problems))
