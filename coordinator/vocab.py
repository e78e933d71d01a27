"""Controlled vocabularies for intake: plain StrEnums with labels, shared by models, forms and the API.

Stored values are the enum values (short, stable, English, lower-case); labels are what
people read. Adding a member needs a migration, because every column is CHECK-constrained.
"""

from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS[type(self)][self]

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Channel(_Labelled):
    """How the inquiry reached us."""

    PHONE = "phone"
    WEB_FORM = "web_form"
    API = "api"

    @property
    def phrase(self) -> str:
        """For "Arrived by ...": "phone", "the web form", "the API"."""
        return {"phone": "phone", "web_form": "the web form", "api": "the API"}[self.value]


class ReferralSource(_Labelled):
    SELF = "self"
    FAMILY = "family"
    PHYSICIAN = "physician"
    HOSPITAL = "hospital"
    EMPLOYER_ASSISTANCE = "employer_assistance"
    ALUMNI = "alumni"
    WEB = "web"
    INSURER = "insurer"
    COURT = "court"
    OTHER = "other"


class CallerRelationship(_Labelled):
    SELF = "self"
    SPOUSE_PARTNER = "spouse_partner"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    OTHER_FAMILY = "other_family"
    FRIEND = "friend"
    PHYSICIAN = "physician"
    EMPLOYER = "employer"
    OTHER = "other"


class ContactMethod(_Labelled):
    PHONE = "phone"
    EMAIL = "email"
    TEXT = "text"


class Sex(_Labelled):
    FEMALE = "female"
    MALE = "male"
    INTERSEX = "intersex"
    UNKNOWN = "unknown"


class Urgency(_Labelled):
    ROUTINE = "routine"
    SOON = "soon"
    URGENT = "urgent"


class Substance(_Labelled):
    PRESCRIBED_OPIOIDS = "prescribed_opioids"
    NON_PRESCRIBED_OPIOIDS = "non_prescribed_opioids"
    HEROIN_FENTANYL = "heroin_fentanyl"
    BENZODIAZEPINES = "benzodiazepines"
    ALCOHOL = "alcohol"
    STIMULANTS = "stimulants"
    CANNABIS = "cannabis"
    SLEEP_MEDICATION = "sleep_medication"
    OTHER = "other"


class ActivityKind(_Labelled):
    CALL = "call"
    EMAIL = "email"
    NOTE = "note"
    STATUS_CHANGE = "status_change"
    SCREENING = "screening"
    TASK = "task"
    MERGE = "merge"
    ARRIVED = "arrived"


class Direction(_Labelled):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class CallOutcome(_Labelled):
    REACHED = "reached"
    LEFT_MESSAGE = "left_message"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"


class LevelOfCare(_Labelled):
    PARTNER_HOSPITAL_DETOX = "partner_hospital_detox"
    RESIDENTIAL = "residential"
    PHP = "php"
    IOP = "iop"
    VIRTUAL_IOP = "virtual_iop"


class AsamEdition(_Labelled):
    THIRD = "third_2013"
    FOURTH = "fourth_2023"


class AdmissionStatus(_Labelled):
    ACTIVE = "active"
    DISCHARGED = "discharged"


_LABELS: dict[type, dict] = {
    Channel: {Channel.PHONE: "Phone", Channel.WEB_FORM: "Web form", Channel.API: "API"},
    ReferralSource: {
        ReferralSource.SELF: "Self",
        ReferralSource.FAMILY: "Family",
        ReferralSource.PHYSICIAN: "Physician",
        ReferralSource.HOSPITAL: "Hospital",
        ReferralSource.EMPLOYER_ASSISTANCE: "Employer assistance program",
        ReferralSource.ALUMNI: "Alumni",
        ReferralSource.WEB: "Web",
        ReferralSource.INSURER: "Insurer",
        ReferralSource.COURT: "Court",
        ReferralSource.OTHER: "Other",
    },
    CallerRelationship: {
        CallerRelationship.SELF: "The patient themself",
        CallerRelationship.SPOUSE_PARTNER: "Spouse or partner",
        CallerRelationship.PARENT: "Parent",
        CallerRelationship.CHILD: "Adult child",
        CallerRelationship.SIBLING: "Sibling",
        CallerRelationship.OTHER_FAMILY: "Other family",
        CallerRelationship.FRIEND: "Friend",
        CallerRelationship.PHYSICIAN: "Physician",
        CallerRelationship.EMPLOYER: "Employer",
        CallerRelationship.OTHER: "Other",
    },
    ContactMethod: {
        ContactMethod.PHONE: "Phone call",
        ContactMethod.EMAIL: "Email",
        ContactMethod.TEXT: "Text message",
    },
    Sex: {Sex.FEMALE: "Female", Sex.MALE: "Male", Sex.INTERSEX: "Intersex", Sex.UNKNOWN: "Not known / not given"},
    Urgency: {Urgency.ROUTINE: "Routine", Urgency.SOON: "Within days", Urgency.URGENT: "Urgent (today)"},
    Substance: {
        Substance.PRESCRIBED_OPIOIDS: "Prescribed opioids",
        Substance.NON_PRESCRIBED_OPIOIDS: "Opioids not prescribed to them",
        Substance.HEROIN_FENTANYL: "Heroin or illicit fentanyl",
        Substance.BENZODIAZEPINES: "Benzodiazepines",
        Substance.ALCOHOL: "Alcohol",
        Substance.STIMULANTS: "Stimulants",
        Substance.CANNABIS: "Cannabis",
        Substance.SLEEP_MEDICATION: "Sleep medication",
        Substance.OTHER: "Other",
    },
    ActivityKind: {
        ActivityKind.CALL: "Call",
        ActivityKind.EMAIL: "Email",
        ActivityKind.NOTE: "Note",
        ActivityKind.STATUS_CHANGE: "Status change",
        ActivityKind.SCREENING: "Screening",
        ActivityKind.TASK: "Task",
        ActivityKind.MERGE: "Merge",
        ActivityKind.ARRIVED: "Arrived",
    },
    Direction: {Direction.INBOUND: "Inbound", Direction.OUTBOUND: "Outbound"},
    CallOutcome: {
        CallOutcome.REACHED: "Reached",
        CallOutcome.LEFT_MESSAGE: "Left a message",
        CallOutcome.NO_ANSWER: "No answer",
        CallOutcome.BUSY: "Busy",
        CallOutcome.WRONG_NUMBER: "Wrong number",
    },
    LevelOfCare: {
        LevelOfCare.PARTNER_HOSPITAL_DETOX: "Medically managed detox at a partner hospital",
        LevelOfCare.RESIDENTIAL: "Residential",
        LevelOfCare.PHP: "Partial hospitalization (PHP)",
        LevelOfCare.IOP: "Intensive outpatient (IOP)",
        LevelOfCare.VIRTUAL_IOP: "Virtual IOP",
    },
    AsamEdition: {
        AsamEdition.THIRD: "ASAM Criteria, 3rd edition (2013)",
        AsamEdition.FOURTH: "ASAM Criteria, 4th edition (2023)",
    },
    AdmissionStatus: {AdmissionStatus.ACTIVE: "Active", AdmissionStatus.DISCHARGED: "Discharged"},
}


class ReminderKind(_Labelled):
    FIRST_CONTACT_DUE = "first_contact_due"
    TASK_DUE = "task_due"
    TASK_OVERDUE = "task_overdue"
    SAFETY_FLAG = "safety_flag"
    DAILY_DIGEST = "daily_digest"
    AUTH_REVIEW_DUE = "auth_review_due"
    AUTH_ENDING = "auth_ending"
    INSTALLMENT_OVERDUE = "installment_overdue"


class ReminderStatus(_Labelled):
    PENDING = "pending"  # waiting for its due time (or for a retry)
    QUEUED = "queued"  # handed to a worker
    SENT = "sent"
    CANCELLED = "cancelled"  # its condition resolved before it was sent
    FAILED = "failed"  # gave up after the last try; shown to staff


class DeliveryChannel(_Labelled):
    EMAIL = "email"
    IN_APP = "in_app"


class DeliveryStatus(_Labelled):
    SENDING = "sending"
    SENT = "sent"


_LABELS.update(
    {
        ReminderKind: {
            ReminderKind.FIRST_CONTACT_DUE: "First contact due",
            ReminderKind.TASK_DUE: "Task due",
            ReminderKind.TASK_OVERDUE: "Task overdue",
            ReminderKind.SAFETY_FLAG: "Safety flag (same-day review)",
            ReminderKind.DAILY_DIGEST: "Daily digest of overdue tasks",
            ReminderKind.AUTH_REVIEW_DUE: "Authorization review coming up",
            ReminderKind.AUTH_ENDING: "Last authorized day coming up",
            ReminderKind.INSTALLMENT_OVERDUE: "Installment overdue",
        },
        ReminderStatus: {
            ReminderStatus.PENDING: "Pending",
            ReminderStatus.QUEUED: "Queued",
            ReminderStatus.SENT: "Sent",
            ReminderStatus.CANCELLED: "Cancelled",
            ReminderStatus.FAILED: "Failed",
        },
        DeliveryChannel: {DeliveryChannel.EMAIL: "Email", DeliveryChannel.IN_APP: "In-app"},
        DeliveryStatus: {DeliveryStatus.SENDING: "Sending", DeliveryStatus.SENT: "Sent"},
    }
)


# --- insurance and private pay -------------------------------------------------------------------


class CoverageRank(_Labelled):
    PRIMARY = "primary"
    SECONDARY = "secondary"


class SubscriberRelationship(_Labelled):
    """The patient's relationship to the primary insured (X12 INS02 / 2000D codes in `x12_code`)."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    OTHER = "other"

    @property
    def x12_code(self) -> str:
        return {"self": "18", "spouse": "01", "child": "19", "other": "G8"}[self.value]


class PlanType(_Labelled):
    PPO = "ppo"
    HMO = "hmo"
    EPO = "epo"
    POS = "pos"
    HDHP = "hdhp"
    INDEMNITY = "indemnity"
    MEDICARE = "medicare"
    MEDICAID = "medicaid"
    INTERNATIONAL = "international"
    OTHER = "other"


class VerificationStatus(_Labelled):
    REQUESTED = "requested"
    IN_PROGRESS = "in_progress"
    VERIFIED_ACTIVE = "verified_active"
    INACTIVE = "inactive"
    NEEDS_INFORMATION = "needs_information"


class VerificationMethod(_Labelled):
    PHONE = "phone"
    PORTAL = "portal"
    ELECTRONIC_271 = "electronic_271"


class NetworkStatus(_Labelled):
    IN_NETWORK = "in_network"
    OUT_OF_NETWORK = "out_of_network"
    UNKNOWN = "unknown"


class ServiceLine(_Labelled):
    SUD_RESIDENTIAL = "sud_residential"
    SUD_OUTPATIENT = "sud_outpatient"
    MENTAL_HEALTH = "mental_health"
    PHARMACY = "pharmacy"


class CopayPer(_Labelled):
    VISIT = "visit"
    DAY = "day"
    ADMISSION = "admission"


class LimitUnit(_Labelled):
    DAYS = "days"
    VISITS = "visits"
    HOURS = "hours"


class AuthorizationStatus(_Labelled):
    PENDING = "pending"
    APPROVED = "approved"
    PARTIALLY_APPROVED = "partially_approved"
    DENIED = "denied"
    APPEALED = "appealed"
    EXPIRED = "expired"


class AuthorizationUnit(_Labelled):
    DAYS = "days"
    VISITS = "visits"
    UNITS = "units"


class FeePeriod(_Labelled):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    EPISODE = "episode"


class QuoteStatus(_Labelled):
    ISSUED = "issued"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


class LedgerKind(_Labelled):
    CHARGE = "charge"
    PAYMENT = "payment"
    REFUND = "refund"


class ChargeCategory(_Labelled):
    PROGRAM_FEE = "program_fee"
    MEDICATION = "medication"
    PSYCHIATRIC_CONSULTATION = "psychiatric_consultation"
    HOSPITAL_VISIT = "hospital_visit"
    TRANSPORT = "transport"
    OTHER = "other"


class PaymentMethod(_Labelled):
    BANK_TRANSFER = "bank_transfer"
    CARD = "card"
    CASH = "cash"
    CHEQUE = "cheque"
    OTHER = "other"


class PlanFrequency(_Labelled):
    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class PlanStatus(_Labelled):
    ACTIVE = "active"
    CANCELLED = "cancelled"


_LABELS.update(
    {
        CoverageRank: {CoverageRank.PRIMARY: "Primary", CoverageRank.SECONDARY: "Secondary"},
        SubscriberRelationship: {
            SubscriberRelationship.SELF: "The patient is the insured",
            SubscriberRelationship.SPOUSE: "Spouse",
            SubscriberRelationship.CHILD: "Child",
            SubscriberRelationship.OTHER: "Other relationship",
        },
        PlanType: {
            PlanType.PPO: "PPO",
            PlanType.HMO: "HMO",
            PlanType.EPO: "EPO",
            PlanType.POS: "POS",
            PlanType.HDHP: "High-deductible plan",
            PlanType.INDEMNITY: "Indemnity",
            PlanType.MEDICARE: "Medicare",
            PlanType.MEDICAID: "Medicaid",
            PlanType.INTERNATIONAL: "International health insurance",
            PlanType.OTHER: "Other",
        },
        VerificationStatus: {
            VerificationStatus.REQUESTED: "Requested",
            VerificationStatus.IN_PROGRESS: "In progress",
            VerificationStatus.VERIFIED_ACTIVE: "Verified active",
            VerificationStatus.INACTIVE: "Inactive",
            VerificationStatus.NEEDS_INFORMATION: "Needs information",
        },
        VerificationMethod: {
            VerificationMethod.PHONE: "Phone",
            VerificationMethod.PORTAL: "Payer portal",
            VerificationMethod.ELECTRONIC_271: "Electronic (271)",
        },
        NetworkStatus: {
            NetworkStatus.IN_NETWORK: "In network",
            NetworkStatus.OUT_OF_NETWORK: "Out of network",
            NetworkStatus.UNKNOWN: "Not known",
        },
        ServiceLine: {
            ServiceLine.SUD_RESIDENTIAL: "Substance use — residential / inpatient",
            ServiceLine.SUD_OUTPATIENT: "Substance use — outpatient, PHP, IOP",
            ServiceLine.MENTAL_HEALTH: "Mental health",
            ServiceLine.PHARMACY: "Pharmacy",
        },
        CopayPer: {CopayPer.VISIT: "per visit", CopayPer.DAY: "per day", CopayPer.ADMISSION: "per admission"},
        LimitUnit: {LimitUnit.DAYS: "days", LimitUnit.VISITS: "visits", LimitUnit.HOURS: "hours"},
        AuthorizationStatus: {
            AuthorizationStatus.PENDING: "Pending",
            AuthorizationStatus.APPROVED: "Approved",
            AuthorizationStatus.PARTIALLY_APPROVED: "Partially approved",
            AuthorizationStatus.DENIED: "Denied",
            AuthorizationStatus.APPEALED: "Appealed",
            AuthorizationStatus.EXPIRED: "Expired",
        },
        AuthorizationUnit: {
            AuthorizationUnit.DAYS: "days",
            AuthorizationUnit.VISITS: "visits",
            AuthorizationUnit.UNITS: "units",
        },
        FeePeriod: {
            FeePeriod.DAY: "per day",
            FeePeriod.WEEK: "per week",
            FeePeriod.MONTH: "per month",
            FeePeriod.EPISODE: "per episode",
        },
        QuoteStatus: {
            QuoteStatus.ISSUED: "Issued",
            QuoteStatus.ACCEPTED: "Accepted",
            QuoteStatus.WITHDRAWN: "Withdrawn",
        },
        LedgerKind: {LedgerKind.CHARGE: "Charge", LedgerKind.PAYMENT: "Payment", LedgerKind.REFUND: "Refund"},
        ChargeCategory: {
            ChargeCategory.PROGRAM_FEE: "Program fee",
            ChargeCategory.MEDICATION: "Medication",
            ChargeCategory.PSYCHIATRIC_CONSULTATION: "Extra psychiatric consultation",
            ChargeCategory.HOSPITAL_VISIT: "Hospital visit",
            ChargeCategory.TRANSPORT: "Transport",
            ChargeCategory.OTHER: "Other",
        },
        PaymentMethod: {
            PaymentMethod.BANK_TRANSFER: "Bank transfer",
            PaymentMethod.CARD: "Card",
            PaymentMethod.CASH: "Cash",
            PaymentMethod.CHEQUE: "Cheque",
            PaymentMethod.OTHER: "Other",
        },
        PlanFrequency: {
            PlanFrequency.WEEKLY: "Weekly",
            PlanFrequency.FORTNIGHTLY: "Every two weeks",
            PlanFrequency.MONTHLY: "Monthly",
        },
        PlanStatus: {PlanStatus.ACTIVE: "Active", PlanStatus.CANCELLED: "Cancelled"},
    }
)
