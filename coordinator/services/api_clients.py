"""API clients: issuing, checking and revoking their keys, and what a client may read.

A key looks like `coord_<prefix>_<secret>`: the prefix (10 hex characters) finds the row,
the secret is 32 random bytes. Only the prefix and a SHA-256 of the whole key are stored;
a slow hash would add nothing for 256 random bits. The full key is returned once, when it
is issued, and can never be shown again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from coordinator.contracts.admin import ApiClientInput
from coordinator.contracts.base import problem
from coordinator.domain.audit import AuditAction
from coordinator.errors import NotFound, ValidationFailed
from coordinator.extensions import db
from coordinator.models import ApiClient, Inquiry, User, utcnow
from coordinator.services import audit, records
from coordinator.services.audit import SystemActor

log = logging.getLogger(__name__)

KEY_SCHEME = "coord"
PREFIX_HEX_CHARS = 10
PUBLIC_ID_RE = re.compile(r"^[A-Za-z0-9_-]+$")
KEY_RE = re.compile(r"^coord_([0-9a-f]{10})_([A-Za-z0-9_-]{43})$")
# last_used_at is written at most this often, so a busy client does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Compared against when no row has the prefix, so a miss costs about what a hit costs.
_DUMMY_HASH = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True)
class IssuedKey:
    """A new client and its full key: show the key to the admin once, then forget it."""

    client: ApiClient
    key: str


def hash_key(key: str) -> str:
    """The stored fingerprint of a key."""
    return hashlib.sha256(key.encode()).hexdigest()


def actor_for(client: ApiClient) -> SystemActor:
    """The audit actor for calls made with this client's key."""
    return SystemActor(f"api_client:{client.id}")


def list_clients(actor: User) -> list[ApiClient]:
    """Every client, active ones first, then by name (the listing is audited); the caller commits."""
    clients = list(
        db.session.scalars(
            sa.select(ApiClient).order_by(ApiClient.revoked_at.is_not(None), sa.func.lower(ApiClient.name))
        )
    )
    audit.record(actor, AuditAction.API_CLIENTS_LISTED, "api_client", None)
    return clients


def load_client(client_id: int) -> ApiClient:
    """The API client with this id, or NotFound."""
    return records.load(ApiClient, client_id)


def create_client(actor: User, data: ApiClientInput) -> IssuedKey:
    """Register a client (its name unique, in any case) and issue its key; the caller commits and
    shows the key once."""
    taken = db.session.scalar(sa.select(ApiClient.id).where(sa.func.lower(ApiClient.name) == data.name.lower()))
    if taken is not None:
        raise ValidationFailed([problem("name", "api_client_name_taken")])
    prefix = _unused_prefix()
    key = f"{KEY_SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient(
        name=data.name,
        key_prefix=prefix,
        key_hash=hash_key(key),
        created_by_id=actor.id,
        reads_episodes=data.reads_episodes,
    )
    db.session.add(client)
    db.session.flush()
    detail = f"key prefix {prefix}" + ("; reads episodes of care" if data.reads_episodes else "")
    audit.record(actor, AuditAction.API_CLIENT_CREATED, "api_client", client.id, detail=detail)
    return IssuedKey(client, key)


def _unused_prefix() -> str:
    for _ in range(5):
        prefix = secrets.token_hex(PREFIX_HEX_CHARS // 2)
        if db.session.scalar(sa.select(ApiClient.id).where(ApiClient.key_prefix == prefix)) is None:
            return prefix
    raise RuntimeError("could not find an unused API key prefix")  # 2**40 prefixes: never in practice


def revoke_client(actor: User, client: ApiClient) -> None:
    """Stop the client's key from working, for good; the caller commits. A key already revoked is
    refused with ValidationFailed (a stale button: the administrator reads why on the list)."""
    if client.revoked_at is not None:
        raise ValidationFailed([problem(None, "api_client_already_revoked")])
    client.revoked_at = utcnow()
    client.revoked_by_id = actor.id
    db.session.flush()
    audit.record(actor, AuditAction.API_CLIENT_REVOKED, "api_client", client.id)


def authenticate(authorization: str | None) -> ApiClient | None:
    """The active client whose key is in an `Authorization: Bearer` header, or None.

    Notes the use in last_used_at (at most once a minute); the caller commits.
    """
    scheme, _, token = (authorization or "").strip().partition(" ")
    match = KEY_RE.match(token.strip()) if scheme.lower() == "bearer" else None
    if match is None:
        return None
    client = db.session.scalar(sa.select(ApiClient).where(ApiClient.key_prefix == match.group(1)))
    if not hmac.compare_digest(client.key_hash if client else _DUMMY_HASH, hash_key(token.strip())):
        return None
    if client.revoked_at is not None:
        log.warning("revoked API key used (client %s)", client.id)
        return None
    now = utcnow()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
        client.last_used_at = now
    return client


def read_inquiry_status(client: ApiClient, public_id: str) -> Inquiry:
    """An inquiry this client created, for its status (audited); NotFound for any other."""
    inquiry = None
    # Public ids are URL-safe tokens: anything else (a NUL byte, a 5,000-character path) names
    # nothing, and never reaches the database as a parameter it would refuse.
    if len(public_id) <= 32 and PUBLIC_ID_RE.match(public_id):
        inquiry = db.session.scalar(
            sa.select(Inquiry).where(Inquiry.public_id == public_id, Inquiry.api_client_id == client.id)
        )
    if inquiry is None:
        raise NotFound("No inquiry with this id was created with this key.")
    audit.record(actor_for(client), AuditAction.INQUIRY_STATUS_READ, "inquiry", inquiry.id)
    return inquiry
