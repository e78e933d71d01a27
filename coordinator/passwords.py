"""Password hashing (Argon2id) and the password policy."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
# Leaked-password corpora, most common first (coordinator/data/README.md says where it comes from).
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent / "data" / "common-passwords.txt"
# What people decorate a common password with: digits and symbols around it, look-alike letters.
_DECORATION = re.compile(r"^[^a-z]+|[^a-z]+$")
_LOOK_ALIKES = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"})
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")

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


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list, loaded once per process (about 20,000 lower-case entries)."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip())


def is_common(password: str) -> bool:
    """True when the password is on the list whatever its case, or is a listed password (or one
    repeated) behind look-alike letters and digits or symbols around it: `Password2024!`,
    `p@ssw0rd123456`, `iloveyouiloveyou`. A phrase of several words is not refused because
    one of them is common: the whole of it must be."""
    listed = common_passwords()
    lowered = password.lower()
    candidates = {lowered, _NOT_ALNUM.sub("", lowered)}
    undecorated = _DECORATION.sub("", lowered)
    cores = {
        _NOT_ALNUM.sub("", undecorated),
        _NOT_ALNUM.sub("", undecorated.translate(_LOOK_ALIKES)),
        _NOT_ALNUM.sub("", _DECORATION.sub("", lowered.translate(_LOOK_ALIKES))),
    }
    candidates |= cores
    for word in cores:
        for size in range(1, len(word) // 2 + 1):
            if len(word) % size == 0 and word[:size] * (len(word) // size) == word:
                candidates.add(word[:size])
                break
    return any(candidate in listed for candidate in candidates if candidate)


def _identity_words(email: str, full_name: str) -> tuple[list[str], list[str]]:
    local_part = email.split("@", 1)[0].lower()
    email_words = [local_part, *re.split(r"[^0-9a-z]+", local_part)]
    name_words = [full_name.strip().lower(), *re.split(r"[^0-9a-z]+", full_name.lower())]
    keep = lambda words: sorted({_NOT_ALNUM.sub("", w) for w in words if len(_NOT_ALNUM.sub("", w)) >= 3}, key=len)  # noqa: E731
    return keep(email_words)[::-1], keep(name_words)[::-1]


def _without(password: str, words: list[str]) -> str:
    rest = password.lower()
    for word in words:
        rest = rest.replace(word, "")
    return rest


def _mostly(password: str, words: list[str]) -> bool:
    """True when the password is mostly these words: once they, and digits, are taken out, what
    is left is under 6 characters or under half of it (`Nadia.Nurse1985`, `nadia-password`)."""
    letters = _NOT_ALNUM.sub("", password.lower())
    rest = letters
    for word in words:
        rest = rest.replace(word, "")
    if rest == letters:
        return False
    rest = re.sub(r"[0-9]+", "", rest)
    return len(rest) < 6 or len(rest) * 2 < len(letters)


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
    email_words, name_words = _identity_words(email, full_name)
    if "password_has_email" not in problems and _mostly(password, email_words):
        problems.append("password_has_email")
    if "password_has_name" not in problems and _mostly(password, name_words):
        problems.append("password_has_name")
    if password and len(set(password)) < 4:
        problems.append("password_too_simple")
    elif password and not problems and (is_common(password) or is_common(_without(password, email_words + name_words))):
        problems.append("password_common")
    return problems
