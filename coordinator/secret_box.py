"""Encryption at rest for the few secrets the server must read back (TOTP shared secrets).

AES-256-GCM (`cryptography`) with a key derived by HKDF-SHA256 from `MFA_ENCRYPTION_KEY`, or from
`SECRET_KEY` when that is not set. A database dump alone then does not give anyone a way to make
codes; the key lives only in the app's environment. Rotating `SECRET_KEY` without setting
`MFA_ENCRYPTION_KEY` to the old value makes the stored secrets unreadable: enrolled people then
use a recovery code or ask an administrator to reset their multi-factor sign-in
(docs/OPERATIONS.md).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = "v1"


class SecretUnreadable(Exception):
    """The sealed value was made with another key, or has been tampered with."""


def _key(key_material: str, purpose: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=f"coordinator:{purpose}".encode()).derive(
        key_material.encode()
    )


def seal(plaintext: str, key_material: str, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(key_material, purpose)).encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{VERSION}:" + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(token: str, key_material: str, purpose: str) -> str:
    version, _, body = token.partition(":")
    if version != VERSION:
        raise SecretUnreadable(f"unknown sealed format {version!r}")
    raw = base64.urlsafe_b64decode(body.encode())
    try:
        return AESGCM(_key(key_material, purpose)).decrypt(raw[:12], raw[12:], purpose.encode()).decode()
    except InvalidTag as exc:
        raise SecretUnreadable("sealed with another key") from exc
