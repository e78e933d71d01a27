"""JSON errors for the API: `{"error": {"code", "message", "fields"?, "status", "reference"}}`.

Routes of this blueprint answer every HTTP error here; paths under /api/ that match no route
(404, 405) get the same envelope from coordinator/error_pages.py.
"""

from __future__ import annotations

import logging
import time

from flask import Blueprint, Response, current_app, g, jsonify
from werkzeug.exceptions import HTTPException

from coordinator.error_pages import CODES
from coordinator.errors import ValidationFailed
from coordinator.extensions import limiter

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Send a valid API key in an Authorization: Bearer header.",
    403: "This key may not do that.",
    404: "There is nothing at this address for this key.",
    405: "This address does not accept that method.",
    413: "The body is larger than this API accepts.",
    415: "Send the body as JSON, with Content-Type: application/json.",
    429: "Too many requests with this key. Wait, then retry (see Retry-After).",
}


class ApiError(Exception):
    """An error answer: HTTP status, a stable code, a message and, for input problems, fields."""

    def __init__(self, status: int, code: str, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields

    @classmethod
    def from_validation(cls, failure: ValidationFailed) -> ApiError:
        """422 naming each field the intake rules refused (regimen lines as `regimen-0-dose`)."""
        fields: dict[str, list[str]] = {}
        general = []
        for field, message in failure.reasons:
            if field:
                fields.setdefault(field, []).append(message)
            else:
                general.append(message)
        message = " ".join(general) or "Some fields are not valid; see fields."
        return cls(422, "validation_failed", message, fields)


def error_response(status: int, code: str, message: str, fields: dict | None = None) -> Response:
    error = {"code": code, "status": status, "message": message, "reference": g.get("request_id")}
    if fields:
        error["fields"] = fields
    response = jsonify(error=error)
    response.status_code = status
    return response


def _retry_after() -> int | None:
    current = limiter.current_limit
    if current is None or not current.breached:
        return None
    return max(1, int(current.reset_at - time.time()))


def register_error_handlers(bp: Blueprint) -> None:
    @bp.errorhandler(ApiError)
    def api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.fields)

    @bp.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code if error.code and error.code < 500 else 500
        if status == 500:
            log.error("API request failed", exc_info=(type(error), error, error.__traceback__))
        message = MESSAGES.get(status, "The request could not be completed.")
        if status == 413:
            message = f"The body is larger than this API accepts ({current_app.config['API_MAX_BODY_BYTES']} bytes)."
        response = error_response(status, CODES.get(status, "error"), message)
        for name, value in error.get_headers():  # WWW-Authenticate on 401, Allow on 405
            if name.lower() != "content-type":
                response.headers[name] = value
        if status == 429 and (seconds := _retry_after()) is not None:
            response.headers["Retry-After"] = str(seconds)
        return response
