"""The JSON shape of an inquiry sent to the API, built from the intake service's own tables.

The request checks (payload.py) and the OpenAPI document (openapi.py) both read these, and
these read `services/intake.py`, `vocab.py` and `rules/mme.py`, so the field names, length
limits, enum values and drugs the API documents are the ones intake enforces. Values are
checked here only for their JSON type; what they mean is checked by `intake.clean_inquiry`.
"""

from __future__ import annotations

from enum import Enum

from coordinator.domain.intake import Substance
from coordinator.rules import mme
from coordinator.services import intake

TEXT_FIELDS: dict[str, int] = dict(intake.TEXT_LIMITS)  # name -> most characters
ENUM_FIELDS: dict[str, type[Enum]] = dict(intake.ENUM_FIELDS)
BOOLEAN_FIELDS = ("may_leave_message",)
DATE_FIELDS = ("patient_dob",)
SUBSTANCES = "substances"
REGIMEN = "regimen"
# intake.clean_inquiry also reads is_restricted; that is a staff decision, so the API refuses it.
ALLOWED_FIELDS = (
    frozenset(TEXT_FIELDS)
    | frozenset(ENUM_FIELDS)
    | frozenset(BOOLEAN_FIELDS)
    | frozenset(DATE_FIELDS)
    | {SUBSTANCES, REGIMEN}
)
REQUIRED_FIELDS = ("patient_name", "referral_source")

SUBSTANCE_VALUES = tuple(s.value for s in Substance)
DRUG_KEYS = tuple(d.key for d in mme.DRUGS)
UNITS = tuple(dict.fromkeys(unit for d in mme.DRUGS for unit in d.units))
PURPOSES = tuple(p.value for p in mme.Purpose)
MAX_REGIMEN_LINES = intake.MAX_REGIMEN_LINES
MAX_DOSES_PER_DAY = mme.MAX_DOSES_PER_DAY
# One regimen line: field -> the JSON types it may have ("null" means it may be left out).
REGIMEN_LINE_TYPES: dict[str, tuple[str, ...]] = {
    "drug": ("string",),
    "dose": ("number",),
    "unit": ("string",),
    "doses_per_day": ("integer", "null"),
    "purpose": ("string", "null"),
}
