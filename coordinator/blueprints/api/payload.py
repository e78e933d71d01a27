"""Reading a JSON request body: media type, size and syntax, then its contract.

Each problem becomes an ApiError with its own status: 415 (not JSON), 413 (too large), 400 (not
valid JSON, not an object, unknown fields), 422 (a field of the wrong JSON type or value). The
body is parsed into the same contract the forms use (`source="json"`: JSON types are strict).
"""

from __future__ import annotations

import json

from flask import current_app, request

from coordinator.blueprints.api.errors import ApiError
from coordinator.clock import clinic_context
from coordinator.contracts.base import Contract
from coordinator.errors import ValidationFailed

KEY_ECHO_LIMIT = 64


def read_json_object() -> dict:
    """The request body as a dict, or an ApiError saying exactly what is wrong with it."""
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send the body as JSON, with Content-Type: application/json.")
    if request.mimetype_params.get("charset", "utf-8").lower() not in ("utf-8", "utf8"):
        raise ApiError(415, "unsupported_media_type", "Send the body encoded as UTF-8.")
    limit = current_app.config["API_MAX_BODY_BYTES"]
    too_large = ApiError(413, "payload_too_large", f"The body is larger than this API accepts ({limit} bytes).")
    if request.content_length is not None and request.content_length > limit:
        raise too_large
    request.max_content_length = limit  # a longer body without Content-Length is 413 (request_bodies)
    raw = request.get_data(cache=False)
    if len(raw) > limit:
        raise too_large
    try:
        body = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant, object_pairs_hook=_refuse_duplicates)
    except UnicodeDecodeError:
        raise ApiError(400, "malformed_json", "The body is not valid UTF-8 text.") from None
    except _DuplicateKey as dup:
        raise ApiError(400, "malformed_json", f"The body names the field {dup.key!r} twice.") from None
    except json.JSONDecodeError as err:
        raise ApiError(
            400, "malformed_json", f"The body is not valid JSON: {err.msg} (line {err.lineno}, column {err.colno})."
        ) from None
    except (ValueError, RecursionError):  # NaN/Infinity, integers past 4300 digits, absurd nesting
        raise ApiError(400, "malformed_json", "The body is not valid JSON (or nests or numbers too deeply).") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_body", "The body must be a JSON object of named fields.")
    if not _all_text_is_unicode(body):
        raise ApiError(
            400, "malformed_json", "The body contains text that is not valid Unicode (an unpaired surrogate escape)."
        )
    return body


def parse_body(contract: type[Contract]):
    """The request body as `contract`, or an ApiError: 400 naming unknown fields, else 422."""
    body = read_json_object()
    try:
        return contract.parse(body, source="json", **clinic_context())
    except ValidationFailed as failure:
        unknown = [p for p in failure.problems if p.code == "unknown_field"]
        if unknown:
            fields = {p.field or "": [p.message] for p in unknown}
            raise ApiError(
                400,
                "unknown_fields",
                "The body has fields this API does not accept: " + ", ".join(list(fields)[:10]) + ".",
                fields,
            ) from None
        raise ApiError.from_validation(failure) from None


def _echo(key: str) -> str:
    return key if len(key) <= KEY_ECHO_LIMIT else key[:KEY_ECHO_LIMIT] + "…"


class _DuplicateKey(ValueError):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = _echo(key)


def _refuse_duplicates(pairs: list[tuple[str, object]]) -> dict:
    result = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def _all_text_is_unicode(body: dict) -> bool:
    # Iterative, so a deeply nested (but parseable) body cannot exhaust the stack.
    stack: list = [body]
    try:
        while stack:
            item = stack.pop()
            if isinstance(item, str):
                item.encode("utf-8")
            elif isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list):
                stack.extend(item)
    except UnicodeEncodeError:
        return False
    return True
