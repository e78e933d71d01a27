"""Reading a JSON request body: media type, size, syntax, shape and JSON types.

Each problem becomes an ApiError with its own status: 415 (not JSON), 413 (too large),
400 (not valid JSON, not an object, unknown fields), 422 (a field of the wrong JSON type).
What the values mean is left to the intake service. The optional "insurance" object is checked
the same way, field by field (unknown keys as `insurance.<key>`); its fields come from
`intake.INSURANCE_*`, the tables `intake.clean_insurance` checks.
"""

from __future__ import annotations

import json
import math

from flask import current_app, request

from coordinator.blueprints.api import fields as spec
from coordinator.blueprints.api.errors import ApiError
from coordinator.services import intake

UNKNOWN_FIELD = "Unknown field: see the API's OpenAPI document for the accepted fields."
KEY_ECHO_LIMIT = 64
INSURANCE = intake.INSURANCE
INSURANCE_STRING_FIELDS = frozenset(
    (*intake.INSURANCE_TEXT_LIMITS, *intake.INSURANCE_ENUM_FIELDS, *intake.INSURANCE_DATE_FIELDS)
)
INSURANCE_BOOLEAN_FIELDS = frozenset(intake.INSURANCE_BOOL_FIELDS)


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
    request.max_content_length = limit  # a body without Content-Length is cut off here too
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


def check_inquiry(body: dict) -> dict:
    """The body if every field is known and of the documented JSON type; otherwise 400 or 422."""
    unknown = {_echo(key): [UNKNOWN_FIELD] for key in body if key not in spec.ALLOWED_FIELDS and key != INSURANCE}
    problems: dict[str, list[str]] = {}
    for name, value in body.items():
        if name == INSURANCE and value is not None:
            _check_insurance(value, unknown, problems)
        if name not in spec.ALLOWED_FIELDS or value is None:
            continue
        if name in spec.TEXT_FIELDS or name in spec.ENUM_FIELDS or name in spec.DATE_FIELDS:
            if not isinstance(value, str):
                problems[name] = ["Must be a string (or null)."]
        elif name in spec.BOOLEAN_FIELDS:
            if not isinstance(value, bool):
                problems[name] = ["Must be true or false."]
        elif name == spec.SUBSTANCES:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                problems[name] = ["Must be an array of strings."]
        elif name == spec.REGIMEN:
            _check_regimen(value, unknown, problems)
    if unknown:
        raise ApiError(
            400,
            "unknown_fields",
            "The body has fields this API does not accept: " + ", ".join(list(unknown)[:10]) + ".",
            unknown,
        )
    if problems:
        raise ApiError(422, "validation_failed", "Some fields have the wrong type; see fields.", problems)
    return body


def _check_regimen(value, unknown: dict, problems: dict) -> None:
    if not isinstance(value, list):
        problems[spec.REGIMEN] = ["Must be an array of medicine objects."]
        return
    for i, line in enumerate(value[: spec.MAX_REGIMEN_LINES + 1]):
        if not isinstance(line, dict):
            problems[f"regimen-{i}"] = ["Each medicine must be a JSON object."]
            continue
        for key, item in line.items():
            allowed = spec.REGIMEN_LINE_TYPES.get(key)
            if allowed is None:
                unknown[f"regimen-{i}-{_echo(key)}"] = [UNKNOWN_FIELD]
            elif item is not None and not _matches(item, allowed):
                problems[f"regimen-{i}-{key}"] = [_TYPE_MESSAGES[allowed[0]]]


def _check_insurance(value, unknown: dict, problems: dict) -> None:
    if not isinstance(value, dict):
        problems[INSURANCE] = ["Must be a JSON object of insurance details (or null)."]
        return
    for key, item in value.items():
        name = f"{INSURANCE}.{_echo(key)}"
        if key not in INSURANCE_STRING_FIELDS and key not in INSURANCE_BOOLEAN_FIELDS:
            unknown[name] = [UNKNOWN_FIELD]
        elif item is None:
            continue
        elif key in INSURANCE_STRING_FIELDS and not isinstance(item, str):
            problems[name] = ["Must be a string (or null)."]
        elif key in INSURANCE_BOOLEAN_FIELDS and not isinstance(item, bool):
            problems[name] = ["Must be true or false."]


_TYPE_MESSAGES = {
    "string": "Must be a string.",
    "number": "Must be a finite number, such as 20 or 7.5.",
    "integer": "Must be a whole number (or null).",
}


def _matches(value, allowed: tuple[str, ...]) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):  # in JSON an integer is a number too
        return "integer" in allowed or "number" in allowed
    if isinstance(value, float):  # 1e400 parses as infinity: not a usable number
        return "number" in allowed and math.isfinite(value)
    return isinstance(value, str) and "string" in allowed


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
