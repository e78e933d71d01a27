"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128

# OWASP Password Storage Cheat Sheet baseline: Argon2id, 19 MiB, t=2, p=1 (~30 ms here).
_PROFILES = {
    "owasp": PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1, type=Type.ID),
    # Tests only: cheap parameters so the suite does not spend minutes hashing.
    "fast-insecure-for-tests": PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID),
}
# Verifying a password against this keeps an unknown email as slow as a known one.
_DUMMY_HASHES: dict[str, str] = {}


def hasher(profile: str) -> PasswordHasher:
    try:
        return _PROFILES[profile]
    except KeyError:
        raise ValueError(f"unknown password hash profile {profile!r}") from None


def hash_password(password: str, profile: str) -> str:
    return hasher(profile).hash(password)


def verify_password(password_hash: str, password: str, profile: str) -> bool:
    """True when the password matches; never raises for a wrong or malformed hash."""
    try:
        return hasher(profile).verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str, profile: str) -> bool:
    try:
        return hasher(profile).check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def burn_verification_time(password: str, profile: str) -> None:
    """Spend the time a real verification would, so response time does not reveal accounts."""
    if profile not in _DUMMY_HASHES:
        _DUMMY_HASHES[profile] = hash_password("not-a-real-password-0000", profile)
    verify_password(_DUMMY_HASHES[profile], password, profile)


def password_problems(password: str, *, email: str = "", full_name: str = "") -> list[str]:
    """The policy's codes for why a new password is not acceptable (none means it is); the
    contracts' message table words them (`password_length` takes `minimum` and `maximum`)."""
    problems = []
    if not MIN_LENGTH <= len(password) <= MAX_LENGTH:
        problems.append("password_length")
    lowered = password.lower()
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        problems.append("password_has_email")
    if full_name and full_name.strip() and full_name.strip().lower() in lowered:
        problems.append("password_has_name")
    if password and len(set(password)) < 4:
        problems.append("password_too_simple")
    return problems
