"""All mapped models, imported here so Alembic and the app see one complete metadata."""

from coordinator.models.api_clients import ApiClient
from coordinator.models.audit import AuditEvent
from coordinator.models.base import Base, UTCDateTime, utcnow
from coordinator.models.billing import (
    BillingAccount,
    FeeSchedule,
    Installment,
    LedgerEntry,
    PaymentPlan,
    Quote,
)
from coordinator.models.care import AsamAssessment, CareSegment, MrnCounter, Patient, PlacementDecision
from coordinator.models.census import Bed, BedAssignment, WaitlistEntry, WaitlistOutcome
from coordinator.models.insurance import (
    Authorization,
    AuthorizationReview,
    BenefitVerification,
    ClearanceOverride,
    Coverage,
    VerificationLine,
)
from coordinator.models.intake import (
    BreakGlassAccess,
    FollowUpTask,
    Inquiry,
    InquiryActivity,
    OpioidRegimenLine,
    PossibleDuplicate,
    Referrer,
    Screening,
)
from coordinator.models.payers import Payer
from coordinator.models.programs import Admission, Program
from coordinator.models.reminders import AppSetting, Notification, Reminder, ReminderDelivery
from coordinator.models.users import RecoveryCode, User, UserSession

__all__ = [
    "AsamAssessment",
    "CareSegment",
    "Bed",
    "BedAssignment",
    "WaitlistEntry",
    "WaitlistOutcome",
    "MrnCounter",
    "Patient",
    "PlacementDecision",
    "Authorization",
    "AuthorizationReview",
    "BenefitVerification",
    "BillingAccount",
    "ClearanceOverride",
    "Coverage",
    "FeeSchedule",
    "Installment",
    "LedgerEntry",
    "PaymentPlan",
    "Quote",
    "VerificationLine",
    "Admission",
    "ApiClient",
    "AppSetting",
    "Notification",
    "Reminder",
    "ReminderDelivery",
    "AuditEvent",
    "Base",
    "BreakGlassAccess",
    "FollowUpTask",
    "Inquiry",
    "InquiryActivity",
    "OpioidRegimenLine",
    "Payer",
    "PossibleDuplicate",
    "Program",
    "RecoveryCode",
    "Referrer",
    "Screening",
    "User",
    "UserSession",
    "UTCDateTime",
    "utcnow",
]
