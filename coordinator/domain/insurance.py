"""Coverage, verification of benefits and authorizations (the authorization status, with its
transition table, is in `rules/authorization_lifecycle.py`).
"""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class CoverageRank(LabelledStrEnum):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"


class SubscriberRelationship(LabelledStrEnum):
    """The patient's relationship to the primary insured (X12 INS02 / 2000D codes in `x12_code`)."""

    SELF = "self", "The patient is the insured"
    SPOUSE = "spouse", "Spouse"
    CHILD = "child", "Child"
    OTHER = "other", "Other relationship"

    @property
    def x12_code(self) -> str:
        return {"self": "18", "spouse": "01", "child": "19", "other": "G8"}[self.value]


class PlanType(LabelledStrEnum):
    PPO = "ppo", "PPO"
    HMO = "hmo", "HMO"
    EPO = "epo", "EPO"
    POS = "pos", "POS"
    HDHP = "hdhp", "High-deductible plan"
    INDEMNITY = "indemnity", "Indemnity"
    MEDICARE = "medicare", "Medicare"
    MEDICAID = "medicaid", "Medicaid"
    INTERNATIONAL = "international", "International health insurance"
    OTHER = "other", "Other"


class VerificationStatus(LabelledStrEnum):
    REQUESTED = "requested", "Requested"
    IN_PROGRESS = "in_progress", "In progress"
    VERIFIED_ACTIVE = "verified_active", "Verified active"
    INACTIVE = "inactive", "Inactive"
    NEEDS_INFORMATION = "needs_information", "Needs information"


class VerificationMethod(LabelledStrEnum):
    PHONE = "phone", "Phone"
    PORTAL = "portal", "Payer portal"
    ELECTRONIC_271 = "electronic_271", "Electronic (271)"


class NetworkStatus(LabelledStrEnum):
    IN_NETWORK = "in_network", "In network"
    OUT_OF_NETWORK = "out_of_network", "Out of network"
    UNKNOWN = "unknown", "Not known"


class ServiceLine(LabelledStrEnum):
    SUD_RESIDENTIAL = "sud_residential", "Substance use — residential / inpatient"
    SUD_OUTPATIENT = "sud_outpatient", "Substance use — outpatient, PHP, IOP"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHARMACY = "pharmacy", "Pharmacy"


class CopayPer(LabelledStrEnum):
    VISIT = "visit", "per visit"
    DAY = "day", "per day"
    ADMISSION = "admission", "per admission"


class LimitUnit(LabelledStrEnum):
    DAYS = "days", "days"
    VISITS = "visits", "visits"
    HOURS = "hours", "hours"


class AuthorizationUnit(LabelledStrEnum):
    DAYS = "days", "days"
    VISITS = "visits", "visits"
    UNITS = "units", "units"
