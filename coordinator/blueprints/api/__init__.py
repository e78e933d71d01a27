"""The versioned JSON API (/api/v1) for the provider's website and referral partners.

Callers authenticate with a per-client key (`@security.api_key`); there are no cookies,
sessions or CSRF tokens here, and every error is JSON.
"""

from flask import Blueprint

from coordinator.extensions import csrf

bp = Blueprint("api", __name__)
# Keys in a header, not cookies, authenticate these calls: a cross-site form cannot forge one.
csrf.exempt(bp)

from coordinator.blueprints.api import errors, views  # noqa: E402,F401

errors.register_error_handlers(bp)
