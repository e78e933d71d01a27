"""Failed sign-in limits, so that an attacker cannot lock an account's owner out.

Three limits count failed attempts only (a success redirects and costs nothing):

- per account **and** IP address (`LOGIN_LIMIT_PER_ACCOUNT_IP`, 5 per 15 minutes): trips first,
  and only for the address the failures came from; the owner on their usual device signs in;
- per account (`LOGIN_LIMIT_PER_ACCOUNT`, 50 per hour): a much higher threshold that only an
  attack from many addresses reaches;
- per IP address (`LOGIN_LIMIT_PER_IP`): one address guessing across many accounts.

The code step of multi-factor sign-in has its own limit per account (`MFA_CODE_LIMIT`, 5 wrong
codes per 15 minutes): whoever reaches it knows the password, so the safe failure is to stop.

An administrator unlocks an account (`unlock`): its keys carry a generation number kept in the
limiter's own storage (Redis when `REDIS_URL` is set, else the process's memory, exactly like
the limits), and unlocking moves it on, so every window counted so far, from any address, no
longer applies (the old ones expire by themselves). Accounts are keyed by a hash of the email,
so neither Redis nor the memory store holds addresses.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import timedelta

from flask import request

from coordinator.extensions import limiter

log = logging.getLogger(__name__)
# Longer than any window a limit may use; an unlock only needs to outlive the windows it ends.
GENERATION_TTL = timedelta(days=7)


def account_digest(email: str) -> str:
    """An account as the limits know it: a hash of its normalised email."""
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()


def _generation_key(digest: str) -> str:
    return f"sign-in-generation:{digest}"


def generation(digest: str) -> int:
    """How many times this account was unlocked lately (0 when the store cannot say)."""
    try:
        return limiter.storage.get(_generation_key(digest))
    except Exception:  # the limiter itself swallows storage errors; so does its key function
        log.warning("sign-in throttle store unreachable; using generation 0")
        return 0


def account_key_for(email: str) -> str:
    digest = account_digest(email)
    return f"account:{digest}:{generation(digest)}"


def account_ip_key_for(email: str, ip: str | None) -> str:
    digest = account_digest(email)
    return f"account-ip:{digest}:{generation(digest)}:{ip or 'unknown'}"


def account_key() -> str:
    """Key function of the account-wide limit (the email typed at the sign-in page)."""
    return account_key_for(request.form.get("email", ""))


def account_ip_key() -> str:
    """Key function of the account-and-address limit."""
    return account_ip_key_for(request.form.get("email", ""), request.remote_addr)


def unlock(email: str) -> bool:
    """Lift every failed-sign-in limit of this account, from every address (not the per-IP one);
    False when the store cannot be reached (nothing was lifted)."""
    try:
        limiter.storage.incr(_generation_key(account_digest(email)), int(GENERATION_TTL.total_seconds()))
    except Exception:
        log.warning("sign-in throttle store unreachable; account not unlocked")
        return False
    return True


def code_key() -> str:
    """Key function of the code step's limit: the account held between password and code."""
    from coordinator.sessions import held_account

    digest = held_account() or "none"
    return f"code:{digest}:{generation(digest)}"
