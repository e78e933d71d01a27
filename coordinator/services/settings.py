"""Run-time settings kept by administrators (key/value rows in `app_setting`)."""

from __future__ import annotations

import sqlalchemy as sa

from coordinator.domain.audit import AuditAction
from coordinator.extensions import db
from coordinator.models import AppSetting, User
from coordinator.services import audit

CLINICAL_LEAD_USER = "clinical_lead_user_id"  # a user id: gets PHQ-9 item-9 safety flags
CLINICAL_LEAD_ROLE = "clinical_lead_role"  # or everyone active in this role ("clinician" by default)
# The clinic's details printed on quotes, estimates and statements (services/clinic_details.py).
CLINIC_DETAILS = {
    "name": "clinic_name",
    "address": "clinic_address",
    "phone": "clinic_phone",
    "email": "clinic_email",
    "payment_details": "clinic_payment_details",
    "billed_separately": "clinic_billed_separately",
}
ROUND_ROBIN = "round_robin_assignment"  # "on": new web and API inquiries go to admissions users on duty in turn
# The placement thresholds (rules/placement_thresholds) and the days between level-of-care
# reviews per level (rules/care_reminders), as whole numbers (services/care_settings.py).
PLACEMENT_THRESHOLDS = {
    name: f"placement_{name}"
    for name in ("very_high_mme", "high_dose_long_acting_mme", "detox_cows_score", "recent_overdose_months")
}
REVIEW_DAYS = {level: f"review_days_{level}" for level in ("residential", "php", "iop", "virtual_iop")}
KNOWN_KEYS = frozenset(
    {
        CLINICAL_LEAD_USER,
        CLINICAL_LEAD_ROLE,
        ROUND_ROBIN,
        *CLINIC_DETAILS.values(),
        *PLACEMENT_THRESHOLDS.values(),
        *REVIEW_DAYS.values(),
    }
)


def get_value(key: str) -> str | None:
    """The stored value of a setting, or None when it was never set."""
    row = db.session.get(AppSetting, key)
    return row.value if row is not None else None


def get_values(keys) -> dict[str, str | None]:
    """Several settings in one query: key -> stored value (None when never set)."""
    keys = list(keys)
    rows = db.session.scalars(sa.select(AppSetting).where(AppSetting.key.in_(keys))).all()
    found = {row.key: row.value for row in rows}
    return {key: found.get(key) for key in keys}


def set_value(actor: User, key: str, value: str | None) -> None:
    """Store a setting (audited); the caller commits. Values are ids or role names, never clinical
    data; the use case that offers the setting parses it (see `reminder_admin`)."""
    if key not in KNOWN_KEYS:
        raise KeyError(key)  # a programming error, not an input problem: keys are constants
    row = db.session.get(AppSetting, key)
    if row is None:
        row = AppSetting(key=key)
        db.session.add(row)
    row.value, row.updated_by_id = value, actor.id
    audit.record(actor, AuditAction.SETTING_CHANGED, "app_setting", key)
