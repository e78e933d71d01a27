"""How an inquiry arrives and what it says: channels, referral sources, callers, substances, the
timeline. Stored values are short, stable, English and lower-case; every column that stores one
is CHECK-constrained, so a new member needs a migration.
"""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class Channel(LabelledStrEnum):
    """How the inquiry reached us."""

    PHONE = "phone", "Phone"
    WEB_FORM = "web_form", "Web form"
    API = "api", "API"

    @property
    def phrase(self) -> str:
        """For "Arrived by ...": "phone", "the web form", "the API"."""
        return {"phone": "phone", "web_form": "the web form", "api": "the API"}[self.value]


class ReferralSource(LabelledStrEnum):
    SELF = "self", "Self"
    FAMILY = "family", "Family"
    PHYSICIAN = "physician", "Physician"
    HOSPITAL = "hospital", "Hospital"
    EMPLOYER_ASSISTANCE = "employer_assistance", "Employer assistance program"
    ALUMNI = "alumni", "Alumni"
    WEB = "web", "Web"
    INSURER = "insurer", "Insurer"
    COURT = "court", "Court"
    OTHER = "other", "Other"


class CallerRelationship(LabelledStrEnum):
    SELF = "self", "The patient themself"
    SPOUSE_PARTNER = "spouse_partner", "Spouse or partner"
    PARENT = "parent", "Parent"
    CHILD = "child", "Adult child"
    SIBLING = "sibling", "Sibling"
    OTHER_FAMILY = "other_family", "Other family"
    FRIEND = "friend", "Friend"
    PHYSICIAN = "physician", "Physician"
    EMPLOYER = "employer", "Employer"
    OTHER = "other", "Other"


class ContactMethod(LabelledStrEnum):
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    TEXT = "text", "Text message"


class Sex(LabelledStrEnum):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    UNKNOWN = "unknown", "Not known / not given"


class Urgency(LabelledStrEnum):
    ROUTINE = "routine", "Routine"
    SOON = "soon", "Within days"
    URGENT = "urgent", "Urgent (today)"


class Substance(LabelledStrEnum):
    PRESCRIBED_OPIOIDS = "prescribed_opioids", "Prescribed opioids"
    NON_PRESCRIBED_OPIOIDS = "non_prescribed_opioids", "Opioids not prescribed to them"
    HEROIN_FENTANYL = "heroin_fentanyl", "Heroin or illicit fentanyl"
    BENZODIAZEPINES = "benzodiazepines", "Benzodiazepines"
    ALCOHOL = "alcohol", "Alcohol"
    STIMULANTS = "stimulants", "Stimulants"
    CANNABIS = "cannabis", "Cannabis"
    SLEEP_MEDICATION = "sleep_medication", "Sleep medication"
    OTHER = "other", "Other"


class ActivityKind(LabelledStrEnum):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    NOTE = "note", "Note"
    STATUS_CHANGE = "status_change", "Status change"
    SCREENING = "screening", "Screening"
    TASK = "task", "Task"
    MERGE = "merge", "Merge"
    ARRIVED = "arrived", "Arrived"


class Direction(LabelledStrEnum):
    INBOUND = "inbound", "Inbound"
    OUTBOUND = "outbound", "Outbound"


class CallOutcome(LabelledStrEnum):
    REACHED = "reached", "Reached"
    LEFT_MESSAGE = "left_message", "Left a message"
    NO_ANSWER = "no_answer", "No answer"
    BUSY = "busy", "Busy"
    WRONG_NUMBER = "wrong_number", "Wrong number"


class InquirySort(LabelledStrEnum):
    """How the inquiry list is ordered."""

    NEWEST = "newest", "Newest first"
    OLDEST = "oldest", "Oldest first"
    UPDATED = "updated", "Recently moved"
    NAME = "name", "Patient name"
    URGENCY = "urgency", "Most urgent"


class BreakGlassScope(LabelledStrEnum):
    """What a break-the-glass grant opens: one part of a restricted record, never both."""

    CLINICAL = "clinical", "The clinical record (notes, screenings, tasks, timeline)"
    FINANCE = "finance", "Insurance and payments"
