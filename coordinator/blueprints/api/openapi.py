"""The OpenAPI 3.1 document for /api/v1, written as data from the same tables the API checks.

Field names, length limits, enum values, drugs and units come from `fields.py` (which reads
the intake service, the vocabularies and the MME rule), so the document cannot drift from
what the API accepts. The optional insurance details come from `intake.INSURANCE_*` and the
vocabularies. A test validates it and checks every /api/v1 route appears in it.
"""

from __future__ import annotations

from functools import cache

from coordinator.blueprints.api import fields as spec
from coordinator.domain.insurance import SubscriberRelationship
from coordinator.error_pages import CODES
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.services import intake

VERSION = "1.0.0"
SERVER = "/api/v1"


def _nullable_string(description: str, **extra) -> dict:
    return {"type": ["string", "null"], "description": description, **extra}


def _enum(values, description: str) -> dict:
    return {"type": ["string", "null"], "enum": [*values, None], "description": description}


def _inquiry_create_schema() -> dict:
    properties: dict[str, dict] = {}
    for name, limit in spec.TEXT_FIELDS.items():
        extra = {"format": "email"} if name.endswith("_email") else {}
        properties[name] = _nullable_string(name.replace("_", " ").capitalize() + ".", maxLength=limit, **extra)
    for name, enum in spec.ENUM_FIELDS.items():
        labels = "; ".join(f"`{m.value}`: {m.label}" for m in enum)
        properties[name] = _enum([m.value for m in enum], f"One of: {labels}.")
    properties["referral_source"]["type"] = "string"
    properties["referral_source"]["enum"] = [v for v in properties["referral_source"]["enum"] if v is not None]
    properties["urgency"]["description"] += " Defaults to `routine`."
    for name in spec.BOOLEAN_FIELDS:
        properties[name] = {
            "type": ["boolean", "null"],
            "default": False,
            "description": "Whether staff may leave a message when calling back.",
        }
    for name in spec.DATE_FIELDS:
        properties[name] = _nullable_string(
            "Date of birth (YYYY-MM-DD): a real date, not in the future, not before 1900.", format="date"
        )
    properties[spec.SUBSTANCES] = {
        "type": ["array", "null"],
        "uniqueItems": True,
        "items": {"type": "string", "enum": list(spec.SUBSTANCE_VALUES)},
        "description": "Substances used.",
    }
    properties[spec.REGIMEN] = {
        "type": ["array", "null"],
        "maxItems": spec.MAX_REGIMEN_LINES,
        "items": {"$ref": "#/components/schemas/RegimenLine"},
        "description": "The current opioid regimen. Problems with line i are reported under "
        "`regimen-i-<field>` (for example `regimen-0-dose`).",
    }
    properties[intake.INSURANCE] = {
        "anyOf": [{"$ref": "#/components/schemas/InsuranceDetails"}, {"type": "null"}],
        "description": "Optional insurance details, as printed on the patient's insurance card. When given, "
        "they are kept as the inquiry's primary coverage; problems are reported under "
        "`insurance.<field>` (for example `insurance.member_id`). They are never returned.",
    }
    properties["patient_name"]["type"] = "string"
    properties["patient_name"]["minLength"] = 1
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(spec.REQUIRED_FIELDS),
        "properties": dict(sorted(properties.items())),
        "description": "A new inquiry. At least one of caller_phone, caller_email, patient_phone or "
        "patient_email is required. referrer_* fields are only for referrals by a "
        "physician, hospital, employer program, insurer, court, family, alumni or "
        "other party. Fields not listed here are refused (400).",
    }


_INSURANCE_DESCRIPTIONS = {
    "insurer_name": "The insurance company's name as printed on the card. Required when any other "
    "insurance detail is given.",
    "member_id": "Member (policy) ID as printed on the card: letters, digits, dashes and spaces.",
    "group_number": "Group number, if the card shows one.",
    "subscriber_name": "The primary insured's name. Required when relationship_to_subscriber is not `self`; "
    "must be left out when it is `self`.",
}


def _insurance_schema() -> dict:
    properties: dict[str, dict] = {}
    for name, limit in intake.INSURANCE_TEXT_LIMITS.items():
        properties[name] = _nullable_string(_INSURANCE_DESCRIPTIONS[name], maxLength=limit)
    properties["member_id"]["pattern"] = "^[A-Za-z0-9 -]*$"
    for name, enum in intake.INSURANCE_ENUM_FIELDS.items():
        labels = "; ".join(f"`{m.value}`: {m.label}" for m in enum)
        properties[name] = _enum([m.value for m in enum], f"One of: {labels}.")
    properties["relationship_to_subscriber"]["description"] = (
        "The patient's relationship to the primary insured (the subscriber). "
        + properties["relationship_to_subscriber"]["description"]
        + " Defaults to `self`."
    )
    for name in intake.INSURANCE_DATE_FIELDS:
        properties[name] = _nullable_string(
            "The primary insured's date of birth (YYYY-MM-DD): a real date, not in the future, not before "
            "1900. Required when relationship_to_subscriber is not `self`; must be left out when it is `self`.",
            format="date",
        )
    for name in intake.INSURANCE_BOOL_FIELDS:
        properties[name] = {
            "type": ["boolean", "null"],
            "default": False,
            "description": "Ask staff to check the plan's benefits before they call back.",
        }
    not_self = [m.value for m in SubscriberRelationship if m is not SubscriberRelationship.SELF]
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
        "if": {
            "required": ["relationship_to_subscriber"],
            "properties": {"relationship_to_subscriber": {"enum": not_self}},
        },
        "then": {
            "required": ["insurer_name", "subscriber_name", "subscriber_birth_date"],
            "properties": {
                "insurer_name": {"type": "string", "minLength": 1},
                "subscriber_name": {"type": "string", "minLength": 1},
                "subscriber_birth_date": {"type": "string"},
            },
        },
        "description": "Insurance details, all optional; an empty object, or only nulls, blanks and "
        "`verification_requested: false`, means none were given and nothing is kept. "
        "If any detail is given, insurer_name is required. Fields not listed here are "
        "refused (400, as `insurance.<field>`).",
    }


def _regimen_line_schema() -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["drug", "dose", "unit"],
        "properties": {
            "drug": {
                "type": "string",
                "enum": list(spec.DRUG_KEYS),
                "description": "Medicine, from the CDC 2022 MME table (or MOUD, which is not counted).",
            },
            "dose": {
                "type": "number",
                "exclusiveMinimum": 0,
                "description": "One dose (or the patch strength in mcg/hr). Absurd doses for the "
                "medicine and unit are refused (422).",
            },
            "unit": {"type": "string", "enum": list(spec.UNITS)},
            "doses_per_day": {
                "type": ["integer", "null"],
                "minimum": 1,
                "maximum": spec.MAX_DOSES_PER_DAY,
                "description": "Required except for patches (mcg/hr), which must leave it out.",
            },
            "purpose": {
                "type": ["string", "null"],
                "enum": [*spec.PURPOSES, None],
                "default": "pain",
                "description": "`oud` only for methadone, buprenorphine and naltrexone.",
            },
        },
    }


def _status_schema() -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["public_id", "status", "status_label", "arrived_at", "status_changed_at", "updated_at"],
        "properties": {
            "public_id": {"type": "string", "description": "Opaque id of the inquiry."},
            "status": {"type": "string", "enum": [s.value for s in InquiryStatus]},
            "status_label": {"type": "string", "enum": [s.label for s in InquiryStatus]},
            "arrived_at": {"type": "string", "format": "date-time"},
            "status_changed_at": {"type": "string", "format": "date-time"},
            "updated_at": {"type": "string", "format": "date-time"},
        },
    }


def _error_schema() -> dict:
    codes = sorted({*CODES.values(), "error", "malformed_json", "invalid_body", "unknown_fields", "validation_failed"})
    return {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "status", "message"],
                "properties": {
                    "code": {"type": "string", "enum": codes},
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "array", "items": {"type": "string"}},
                        "description": "Problems per field; regimen lines as `regimen-<i>-<field>`, "
                        "insurance details as `insurance.<field>`.",
                    },
                    "reference": {"type": ["string", "null"], "description": "Request id, for support."},
                    "title": {"type": "string"},
                },
            }
        },
    }


ERRORS = {
    "400": "Malformed JSON, a body that is not an object, or unknown fields.",
    "401": "Missing, unknown or revoked API key.",
    "404": "No such inquiry for this key.",
    "405": "Method not allowed.",
    "413": "Body larger than the API accepts.",
    "415": "Body is not application/json.",
    "422": "A field has the wrong type or an invalid value; see `fields`.",
    "429": "Too many requests with this key; see Retry-After.",
}


def _errors(*statuses: str) -> dict:
    return {status: {"$ref": f"#/components/responses/Error{status}"} for status in statuses}


def _status_response(description: str, headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InquiryStatus"}}},
    }
    if headers:
        response["headers"] = headers
    return response


@cache
def document() -> dict:
    """The whole OpenAPI document (built once per process)."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Coordinator inquiry API",
            "version": VERSION,
            "description": "Send inquiries from the provider's website or a referral partner, and follow "
            "their status. Every call needs the client's API key, issued by an administrator.",
        },
        "servers": [{"url": SERVER}],
        "security": [{"apiKey": []}],
        "paths": {
            "/inquiries": {
                "post": {
                    "operationId": "createInquiry",
                    "summary": "Create an inquiry",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/InquiryCreate"}}},
                    },
                    "responses": {
                        "201": _status_response(
                            "Created.",
                            {
                                "Location": {
                                    "description": "URL of the new inquiry's status.",
                                    "schema": {"type": "string"},
                                }
                            },
                        ),
                        **_errors("400", "401", "405", "413", "415", "422", "429"),
                    },
                }
            },
            "/inquiries/{public_id}": {
                "get": {
                    "operationId": "getInquiryStatus",
                    "summary": "Read the status of an inquiry created with this key",
                    "parameters": [
                        {
                            "name": "public_id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "maxLength": 32},
                        }
                    ],
                    "responses": {
                        "200": _status_response("The inquiry's status."),
                        **_errors("401", "404", "405", "429"),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApiDocument",
                    "summary": "This document",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "apiKey": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "coord_<prefix>_<secret>",
                    "description": "Send `Authorization: Bearer <key>`. Keys are shown once when issued "
                    "and can be revoked by an administrator.",
                }
            },
            "schemas": {
                "InquiryCreate": _inquiry_create_schema(),
                "RegimenLine": _regimen_line_schema(),
                "InsuranceDetails": _insurance_schema(),
                "InquiryStatus": _status_schema(),
                "Error": _error_schema(),
            },
            "responses": {
                f"Error{status}": {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                }
                for status, description in ERRORS.items()
            },
        },
    }
