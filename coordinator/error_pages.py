"""Friendly error pages (and JSON errors for API clients), each with a reference id."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, make_response, render_template, url_for
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from coordinator.errors import DomainError, NotFound, NotPermitted, RestrictedRecord
from coordinator.extensions import db
from coordinator.security import wants_json

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("The request could not be understood", "Something in what was sent was not valid. Go back and try again."),
    401: ("Sign-in required", "Please sign in to continue."),
    403: ("Not allowed", "Your account does not have access to this page. If you need it, ask an administrator."),
    404: ("Not found", "There is nothing at this address, or it is not available to you."),
    405: ("Not allowed", "This page cannot be used that way."),
    413: ("Too large", "What was sent is larger than this system accepts."),
    429: ("Too many attempts", "Too many attempts in a short time. Wait a few minutes, then try again."),
    500: (
        "Something went wrong",
        "The error has been logged. Nothing was saved. Try again, and if it keeps happening, give this reference to your administrator.",
    ),
}

# Machine-readable codes for JSON errors, the same words the API uses (`{"error": {"code": ...}}`).
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    500: "internal_error",
}


# Where each kind of restricted record offers break-the-glass: (endpoint, its id argument).
BREAK_GLASS_PAGES = {"inquiry": ("inquiries.detail", "inquiry_id"), "finances": ("finance.inquiry", "inquiry_id")}


def _respond(status: int, title: str | None = None, message: str | None = None, link: tuple[str, str] | None = None):
    default_title, default_message = MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    title, message = title or default_title, message or default_message
    reference = g.get("request_id")
    if wants_json():
        body = jsonify(
            error={
                "code": CODES.get(status, "error"),
                "status": status,
                "title": title,
                "message": message,
                "reference": reference,
            }
        )
    else:
        body = render_template(
            "errors/error.html", status=status, title=title, message=message, reference=reference, link=link
        )
    return make_response(body, status)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        log.warning("CSRF check failed: %s", error.description)
        return _respond(
            400,
            "This form has expired",
            "The page was open too long or was sent from somewhere else. Go back, reload the page and try again.",
        )

    @app.errorhandler(NotFound)
    def not_found(_error: NotFound):
        return _respond(404)

    @app.errorhandler(NotPermitted)
    def not_permitted(error: NotPermitted):
        if isinstance(error, RestrictedRecord) and error.area in BREAK_GLASS_PAGES:
            endpoint, argument = BREAK_GLASS_PAGES[error.area]
            link = (url_for(endpoint, **{argument: error.record_id}), "Open the record to request access")
            return _respond(403, "Restricted record", error.message, link=link)
        return _respond(403, message=error.message)

    @app.errorhandler(DomainError)
    def refused(error: DomainError):
        # A rule refused something no form was there to show (a stale button, a forged post).
        return _respond(400, "This could not be done", error.message)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code >= 500:
            return internal_error(error)
        response = _respond(error.code)
        if error.code == 405 and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    @app.errorhandler(Exception)
    def internal_error(error):
        db.session.rollback()
        original = getattr(error, "original_exception", None) or error
        if not isinstance(original, InternalServerError):
            log.error("unhandled error", exc_info=(type(original), original, original.__traceback__))
        return _respond(500)
