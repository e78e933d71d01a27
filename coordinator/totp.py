"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP), with the standard library only.

The parameters every authenticator app supports: SHA-1, 6 digits, 30-second steps from the Unix
epoch; a code is accepted one step either side of now (clock drift, a code typed as it changes).
`services/mfa.py` keeps the last step each account used, so a code works once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of now
SECRET_BYTES = 20  # 160 bits, RFC 4226's recommendation for HMAC-SHA-1


def new_secret() -> str:
    """A random shared secret, base32 without padding (as authenticator apps take it)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    compact = secret.replace(" ", "").upper()
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def hotp(key: bytes, counter: int, digits: int = DIGITS, digest=hashlib.sha1) -> str:
    """RFC 4226: HMAC the big-endian counter, truncate dynamically, keep `digits` decimal digits."""
    mac = hmac.new(key, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def step_at(timestamp: float) -> int:
    return int(timestamp // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    """The code of a base32 secret for a time step."""
    return hotp(_key(secret), step)


def matching_step(secret: str, code: str, timestamp: float, *, after: int | None = None) -> int | None:
    """The time step within the window whose code this is, or None; steps up to `after` (the last
    one used) never match, so a code cannot be replayed. Compared in constant time."""
    if len(code) != DIGITS or not code.isdigit():
        return None
    now = step_at(timestamp)
    found = None
    for step in range(now - WINDOW, now + WINDOW + 1):
        if after is not None and step <= after:
            continue
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    return found


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code (Google's Key URI format)."""
    label = quote(f"{issuer}:{account}", safe="@:")
    query = urlencode(
        {"secret": secret, "issuer": issuer, "algorithm": "SHA1", "digits": DIGITS, "period": STEP_SECONDS},
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{query}"
