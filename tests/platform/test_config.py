"""The factory and the settings it reads: laptop defaults, and production refusing unsafe ones."""

import secrets
import subprocess
import sys
from datetime import timedelta

import pytest

from coordinator import PROJECT_ROOT, create_app
from coordinator.config import DEFAULT_SECRET_KEY, ConfigError, load_settings, validate_settings

GOOD_SECRET = secrets.token_urlsafe(48)
PG_URL = "postgresql://app@db.internal/coordinator"
REDIS_URL = "redis://:password@redis.internal:6379/0"


def production_env(**overrides):
    env = {"COORDINATOR_ENV": "production", "SECRET_KEY": GOOD_SECRET, "DATABASE_URL": PG_URL, "REDIS_URL": REDIS_URL}
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def test_laptop_defaults_use_sqlite_under_instance(tmp_path):
    settings = load_settings(str(tmp_path), environ={})
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/coordinator.db"
    assert settings["COORDINATOR_ENV"] == "development"
    assert settings["REDIS_URL"] is None
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["IDLE_TIMEOUT"] == timedelta(minutes=15)
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_settings_come_from_the_environment(tmp_path):
    settings = load_settings(
        str(tmp_path),
        environ={
            "DATABASE_URL": "postgres://u@h/db",
            "REDIS_URL": "redis://r:6379/0",
            "IDLE_TIMEOUT_MINUTES": "5",
            "SESSION_LIFETIME_HOURS": "8",
            "TIMEZONE": "Asia/Bangkok",
        },
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://r:6379/0"
    assert settings["IDLE_TIMEOUT"] == timedelta(minutes=5)
    assert settings["SESSION_LIFETIME"] == timedelta(hours=8)
    assert settings["DISPLAY_TIMEZONE"] == "Asia/Bangkok"


@pytest.mark.parametrize(
    "name, value",
    [
        ("IDLE_TIMEOUT_MINUTES", "soon"),
        ("IDLE_TIMEOUT_MINUTES", "0"),
        ("SECURE_COOKIES", "maybe"),
        ("COORDINATOR_ENV", "staging"),
        ("TIMEZONE", "Mars/Olympus"),
    ],
)
def test_malformed_settings_are_refused_with_their_name(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        load_settings(str(tmp_path), environ={name: value})


def test_production_starts_with_safe_settings(tmp_path):
    settings = load_settings(str(tmp_path), environ=production_env())
    validate_settings(settings)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert settings["TRUSTED_PROXY_COUNT"] == 1
    assert settings["LOG_FORMAT"] == "json"


@pytest.mark.parametrize(
    "env, problem",
    [
        (production_env(SECRET_KEY=None), "SECRET_KEY"),
        (production_env(SECRET_KEY=DEFAULT_SECRET_KEY), "SECRET_KEY"),
        (production_env(SECRET_KEY="short"), "SECRET_KEY"),
        (production_env(DATABASE_URL=None), "DATABASE_URL must be set"),
        (production_env(DATABASE_URL="sqlite:////tmp/x.db"), "PostgreSQL"),
        (production_env(SECURE_COOKIES="false"), "SECURE_COOKIES"),
        (production_env(PASSWORD_HASH_PROFILE="fast-insecure-for-tests"), "PASSWORD_HASH_PROFILE"),
        (production_env(REDIS_URL=None), "REDIS_URL must be set .*login throttle.*relayed.*REDIS_URL=redis://"),
        (production_env(REDIS_URL=" "), "REDIS_URL must be set"),
    ],
)
def test_production_refuses_unsafe_settings(tmp_path, env, problem):
    settings = load_settings(str(tmp_path), environ=env)
    with pytest.raises(ConfigError, match=problem):
        validate_settings(settings)


WEAK_SECRETS = [
    "x" * 48,  # one character, however long
    "abc" * 16,  # a short pattern repeated
    "0123456789abcdef" * 3,  # a run, repeated
    "abcdefghijklmnopqrstuvwxyz0123456789",  # runs
    "changeme" * 6,  # a placeholder repeated
    "Passw0rd" * 5,
    "correct horse battery staple " * 2,  # words, and the phrase repeated
    "CorrectHorseBatteryStaple-CorrectHorseBatteryStaple",
    "correcthorsebatterystapleisverysecret",  # dictionary words run together
    "my super secret production signing key for the clinic",  # a sentence of ordinary words
    "qwertyuiopasdfghjklzxcvbnm1234567890",  # keyboard rows
    "Tr0ub4dor&3Tr0ub4dor&3Tr0ub4dor&3",  # a classic, repeated to look long
    "ABCDEFabcdef0123456789ABCDEFabcdef0123456789",
]


@pytest.mark.parametrize("weak", WEAK_SECRETS)
def test_production_refuses_a_guessable_secret_key_however_long(tmp_path, weak):
    assert len(weak) >= 32
    settings = load_settings(str(tmp_path), environ=production_env(SECRET_KEY=weak))
    with pytest.raises(ConfigError, match="SECRET_KEY") as refused:
        validate_settings(settings)
    message = str(refused.value)
    assert "python -c 'import secrets; print(secrets.token_urlsafe(48))'" in message
    assert weak not in message and weak[:12] not in message  # the key itself is never repeated


@pytest.mark.parametrize(
    "make",
    [lambda: secrets.token_urlsafe(48), lambda: secrets.token_hex(32), lambda: secrets.token_urlsafe(32)],
    ids=["token_urlsafe(48)", "token_hex(32)", "token_urlsafe(32)"],
)
def test_random_tokens_always_pass_the_secret_key_check(make):
    from coordinator.secret_key import MIN_BITS, estimated_bits, weakness

    # Many draws: the estimate must never mistake a random token for a pattern.
    for _ in range(2000):
        token = make()
        assert weakness(token) is None, token
    assert min(estimated_bits(make()) for _ in range(200)) > MIN_BITS + 64  # with a wide margin


def test_a_passphrase_is_counted_by_its_words_not_its_letters():
    from coordinator.secret_key import estimated_bits

    words = ["apple", "stone", "river", "cloud", "tiger", "ocean", "maple", "amber", "lunar", "cedar", "flint", "comet"]
    phrase = " ".join(secrets.choice(words) for _ in range(12))
    assert 0 < estimated_bits(phrase) < 200  # ~13 bits a word: counted as words, not as letters
    assert estimated_bits(" ".join(secrets.choice(words) for _ in range(4))) < 64


def test_create_app_refuses_production_with_default_secret(monkeypatch):
    monkeypatch.setenv("COORDINATOR_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", PG_URL)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_create_app_does_not_touch_the_database(monkeypatch):
    # An unreachable database must not stop the app from being built: no I/O at start-up,
    # and no migrations (they are a separate release step).
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none", "TESTING": True})
    assert app.testing
    assert "migrate" in app.extensions


def test_importing_the_package_does_no_io(tmp_path):
    # Importing must not read settings, create folders or open connections.
    result = subprocess.run(
        [sys.executable, "-c", "import coordinator, coordinator.models, coordinator.extensions, coordinator.rules"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(PROJECT_ROOT), "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []
