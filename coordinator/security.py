"""Deny by default: every endpoint declares who may use it, and one hook enforces it.

A view declares its policy with exactly one decorator:

    @security.public               anyone, signed in or not (login page, health check)
    @security.any_staff            any active staff account
    @security.roles(Role.ADMIN)    only the listed roles
    @security.api_key              an API client with a valid, unrevoked key (never a staff session)

`enforce_access_policy` runs before every request. An endpoint with no declared policy is
refused (403) and logged, so a forgotten decorator fails closed; the test suite also walks
the URL map and fails on any such endpoint before it ships.

API-key endpoints answer 401 with `WWW-Authenticate: Bearer` (never a sign-in redirect) when
the `Authorization: Bearer <key>` header is missing, unknown or revoked; the client is put in
`g.api_client`, and any staff session cookie sent along is ignored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_login import current_user
from werkzeug.datastructures import WWWAuthenticate
from werkzeug.exceptions import Unauthorized

from coordinator.domain.audit import AuditAction
from coordinator.roles import Role

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    """Who may call an endpoint. `roles` None means any active staff account."""

    kind: str  # "public", "staff" or "api_key"
    roles: frozenset[Role] | None = None
    # Endpoints a user who must change their password may still reach.
    allowed_during_password_change: bool = False
    # Endpoints an administrator who has not enrolled a second factor yet may still reach.
    allowed_during_mfa_enrolment: bool = False

    def describe(self) -> str:
        if self.kind == "public":
            return "public"
        if self.kind == "api_key":
            return "API key"
        if self.roles is None:
            return "any staff"
        return ", ".join(sorted(r.value for r in self.roles))

    def admits_role(self, role: Role | None) -> bool:
        if self.kind == "public":
            return True
        if self.kind == "api_key" or role is None:
            return False
        return self.roles is None or role in self.roles


PUBLIC = Policy("public")
ANY_STAFF = Policy("staff")
API_KEY = Policy("api_key")

# Endpoints Flask itself adds (they have no view function of ours to decorate).
BUILTIN_POLICIES: dict[str, Policy] = {"static": PUBLIC}


def _declare(policy: Policy) -> Callable:
    def decorator(view: Callable) -> Callable:
        if getattr(view, "access_policy", None) is not None:
            raise RuntimeError(f"{view.__name__} declares two access policies")
        view.access_policy = policy
        return view

    return decorator


def public(view: Callable) -> Callable:
    """Anyone may call this view."""
    return _declare(PUBLIC)(view)


def any_staff(view: Callable) -> Callable:
    """Any signed-in, active staff account may call this view."""
    return _declare(ANY_STAFF)(view)


def roles(*allowed: Role) -> Callable:
    """Only signed-in staff with one of these roles may call this view."""
    if not allowed:
        raise ValueError("roles() needs at least one role")
    return _declare(Policy("staff", roles=frozenset(allowed)))


def api_key(view: Callable) -> Callable:
    """Only a caller presenting a valid API key may call this view; staff sessions do not count."""
    return _declare(API_KEY)(view)


def during_password_change(view: Callable) -> Callable:
    """Let a user who must change their password still reach this view (logout, the change form)."""
    policy = getattr(view, "access_policy", None)
    if policy is None:
        raise RuntimeError("declare the access policy before during_password_change")
    view.access_policy = replace(policy, allowed_during_password_change=True)
    return view


def during_mfa_enrolment(view: Callable) -> Callable:
    """Let an administrator who must still enrol a second factor reach this view (logout, enrolment)."""
    policy = getattr(view, "access_policy", None)
    if policy is None:
        raise RuntimeError("declare the access policy before during_mfa_enrolment")
    view.access_policy = replace(policy, allowed_during_mfa_enrolment=True)
    return view


def policy_for(app: Flask, endpoint: str) -> Policy | None:
    """The policy an endpoint declared, or None if it declared none."""
    if endpoint in BUILTIN_POLICIES:
        return BUILTIN_POLICIES[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_policy", None)


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def enforce_access_policy():
    """before_request hook: refuse anything the endpoint's policy does not allow."""
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: let the 404/405 handlers answer
        return None
    policy = policy_for(current_app, endpoint)
    if policy is None:
        log.error("endpoint %s has no access policy; refusing", endpoint)
        abort(403)
    if policy.kind == "public":
        return None
    if policy.kind == "api_key":
        return _authenticate_api_client()
    if not current_user.is_authenticated:
        if wants_json():
            abort(401)
        from coordinator.sessions import flash_session_end

        flash_session_end()
        return redirect(url_for("auth.login", next=_safe_current_path()))
    if current_user.must_change_password and not policy.allowed_during_password_change:
        return redirect(url_for("account.change_password"))
    if current_user.must_enrol_mfa and not policy.allowed_during_mfa_enrolment:
        return redirect(url_for("account.mfa"))
    if not policy.admits_role(current_user.role):
        _record_denial(endpoint)
        abort(403)
    return None


class ApiKeyRequired(Unauthorized):
    """401 for a missing, unknown or revoked API key."""

    description = "Send a valid API key in an Authorization: Bearer header."

    def __init__(self) -> None:
        super().__init__(www_authenticate=WWWAuthenticate("bearer", {"realm": "coordinator-api"}))


def _authenticate_api_client() -> None:
    from coordinator.extensions import login_manager
    from coordinator.services import api_clients
    from coordinator.transaction import durable, retry_if_disconnected

    # Flask-Login keeps the loaded user in g._login_user: setting it to anonymous here means a
    # staff cookie sent along with an API call is never read, refreshed or trusted.
    g._login_user = login_manager.anonymous_user()
    header = request.headers.get("Authorization")
    # Keep last_used_at even when the call itself then fails and is rolled back; the first
    # statement of the call, retried once on a dead pooled connection (no pre-ping).
    client = durable(lambda: retry_if_disconnected(lambda: api_clients.authenticate(header)))
    if client is None:
        raise ApiKeyRequired()
    g.api_client = client


def _safe_current_path() -> str:
    # Only the path and query of this site: never a full URL.
    path = request.full_path if request.query_string else request.path
    return path.rstrip("?")


def _record_denial(endpoint: str) -> None:
    from coordinator.services import audit

    audit.record_refusal(
        current_user._get_current_object(),
        AuditAction.ACCESS_DENIED,
        "endpoint",
        endpoint[:64],
        detail=f"{request.method} refused for role {current_user.role}",
    )
    g.access_denied = True


def register_access_control(app: Flask) -> None:
    app.before_request(enforce_access_policy)
