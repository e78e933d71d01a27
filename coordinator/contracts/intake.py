"""Input contracts for taking an inquiry in: the same for the phone form, the web form and the API.

- `NewInquiry`: what a caller, a web visitor or a partner's system tells us (contact details
  required), with optional insurance details (`InsuranceDetails`) and the opioid regimen.
- `StaffInquiry`: the phone form's new inquiry, plus the staff-only decisions (assignee,
  restricted record). The API and the web form cannot send those: they are unknown fields there.
- `InquiryEdit`: changing an inquiry's details later (contact details may be missing by then).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import ConfigDict

from coordinator.contracts import values
from coordinator.contracts.base import Contract, problem, rule
from coordinator.contracts.messages import define
from coordinator.contracts.regimen import regimen
from coordinator.domain.insurance import PlanType, SubscriberRelationship
from coordinator.domain.intake import CallerRelationship, ContactMethod, ReferralSource, Sex, Substance, Urgency

# Field name -> most characters. Anything longer is refused, never silently cut.
TEXT_LIMITS = {
    "caller_name": 160,
    "caller_phone": 40,
    "caller_email": 254,
    "contact_instructions": 500,
    "patient_name": 160,
    "patient_location": 160,
    "patient_phone": 40,
    "patient_email": 254,
    "presenting_concerns": 4000,
    "pain_conditions": 2000,
    "prior_treatment": 2000,
    "referrer_name": 160,
    "referrer_organization": 160,
    "referrer_phone": 40,
    "referrer_email": 254,
}
INSURANCE_TEXT_LIMITS = {"insurer_name": 120, "member_id": 80, "group_number": 50, "subscriber_name": 160}
REFERRER_KINDS = frozenset(ReferralSource) - {ReferralSource.SELF, ReferralSource.WEB}
CONTACT_FIELDS = ("caller_phone", "caller_email", "patient_phone", "patient_email")
SUBSCRIBER_FIELDS = ("subscriber_name", "subscriber_birth_date")

define(
    {
        "patient_name_required": "Enter the prospective patient's name (a first name is enough to start).",
        "referral_source_required": "Choose how the inquiry was referred.",
        "contact_required": "Give at least one phone number or email address so we can call back.",
        "preferred_email_missing": "Email is preferred, but no email address was given.",
        "preferred_phone_missing": "A phone or text is preferred, but no phone number was given.",
        "referrer_not_expected": "Only a referral by a physician, hospital, employer program, insurer, court, "
        "family, alumni or other party has a referrer.",
        "insurer_required": "Enter the insurance company's name as printed on the card "
        "(it is needed with any other insurance detail).",
        "subscriber_relationship_required": "Say how the patient is related to the insured person named here.",
        "subscriber_not_expected": "Leave this empty when the patient is the insured person, or choose how the "
        "patient is related to the insured.",
        "subscriber_name_required": "Enter the insured person's name as printed on the card "
        "(needed when the patient is not the insured).",
        "subscriber_birth_date_required": "Enter the insured person's date of birth "
        "(needed when the patient is not the insured).",
    }
)


def _text(name: str, **kwargs):
    return values.text(TEXT_LIMITS[name], **kwargs)


class InsuranceDetails(Contract):
    """Insurance as printed on the card, all optional: nothing given means nothing is kept."""

    # The JSON Schema states the subscriber rule too (the API refuses what the schema refuses).
    model_config = ConfigDict(
        json_schema_extra={
            "if": {
                "required": ["relationship_to_subscriber"],
                "properties": {
                    "relationship_to_subscriber": {
                        "enum": [r.value for r in SubscriberRelationship if r is not SubscriberRelationship.SELF]
                    }
                },
            },
            "then": {
                "required": ["insurer_name", "subscriber_name", "subscriber_birth_date"],
                "properties": {
                    "insurer_name": {"type": "string", "minLength": 1},
                    "subscriber_name": {"type": "string", "minLength": 1},
                    "subscriber_birth_date": {"type": "string"},
                },
            },
        }
    )

    insurer_name: values.text(INSURANCE_TEXT_LIMITS["insurer_name"])
    member_id: values.identifier(INSURANCE_TEXT_LIMITS["member_id"], what="member ID")
    group_number: values.identifier(INSURANCE_TEXT_LIMITS["group_number"], what="group number")
    plan_type: values.choice(PlanType)
    relationship_to_subscriber: values.choice(SubscriberRelationship)
    subscriber_name: values.text(INSURANCE_TEXT_LIMITS["subscriber_name"])
    subscriber_birth_date: values.birth_date()
    verification_requested: values.yes_no()

    def is_empty(self) -> bool:
        """Nothing was given (blanks, nulls and an unticked box say nothing)."""
        return not any(getattr(self, name) for name in type(self).model_fields)

    @property
    def relationship(self) -> SubscriberRelationship:
        return self.relationship_to_subscriber or SubscriberRelationship.SELF

    @rule("insurer_name")
    def _insurer_named(self):
        if not self.is_empty() and not self.insurer_name:
            yield problem("insurer_name", "insurer_required")

    @rule("relationship_to_subscriber", *SUBSCRIBER_FIELDS)
    def _subscriber(self):
        relationship = self.relationship_to_subscriber
        given = [name for name in SUBSCRIBER_FIELDS if getattr(self, name) is not None]
        if relationship is None and given:
            yield problem("relationship_to_subscriber", "subscriber_relationship_required")
        elif relationship is SubscriberRelationship.SELF:
            for name in given:
                yield problem(name, "subscriber_not_expected")
        elif relationship is not None:
            for name in SUBSCRIBER_FIELDS:
                if name not in given:
                    yield problem(name, f"{name}_required")


class InquiryDetails(Contract):
    """What every way in says about the caller, the patient, the referral and the concern."""

    caller_name: _text("caller_name")
    caller_relationship: values.choice(CallerRelationship)
    caller_phone: values.phone(limit=TEXT_LIMITS["caller_phone"])
    caller_email: values.email()
    preferred_contact: values.choice(ContactMethod)
    may_leave_message: values.yes_no()
    contact_instructions: _text("contact_instructions", multiline=True)
    patient_name: _text("patient_name", required="patient_name_required")
    patient_dob: values.birth_date()
    patient_sex: values.choice(Sex)
    patient_location: _text("patient_location")
    patient_phone: values.phone(limit=TEXT_LIMITS["patient_phone"])
    patient_email: values.email()
    presenting_concerns: _text("presenting_concerns", multiline=True)
    substances: values.choices(Substance, what="substances")
    pain_conditions: _text("pain_conditions", multiline=True)
    prior_treatment: _text("prior_treatment", multiline=True)
    urgency: values.choice(Urgency, default=Urgency.ROUTINE)
    referral_source: values.choice(ReferralSource, required="referral_source_required")
    referrer_name: _text("referrer_name")
    referrer_organization: _text("referrer_organization")
    referrer_phone: values.phone(limit=TEXT_LIMITS["referrer_phone"])
    referrer_email: values.email()
    regimen: regimen()

    schema_required = ("patient_name", "referral_source")
    # A new inquiry needs a way to call back; an edit may come after the details were lost.
    require_contact: ClassVar[bool] = False

    @rule(*CONTACT_FIELDS)
    def _reachable(self):
        if self.require_contact and not any(getattr(self, name) for name in CONTACT_FIELDS):
            yield problem("caller_phone", "contact_required")

    @rule("preferred_contact", *CONTACT_FIELDS)
    def _preference_possible(self):
        if self.preferred_contact is ContactMethod.EMAIL and not (self.caller_email or self.patient_email):
            yield problem("preferred_contact", "preferred_email_missing")
        if self.preferred_contact in (ContactMethod.PHONE, ContactMethod.TEXT) and not (
            self.caller_phone or self.patient_phone
        ):
            yield problem("preferred_contact", "preferred_phone_missing")

    @rule("referrer_name", "referral_source")
    def _referrer_expected(self):
        if self.referrer_name and self.referral_source not in REFERRER_KINDS:
            yield problem("referrer_name", "referrer_not_expected")


class NewInquiry(InquiryDetails):
    """A new inquiry from a caller, a web visitor or a partner's system."""

    insurance: InsuranceDetails | None = None
    require_contact: ClassVar[bool] = True

    @property
    def insurance_given(self) -> InsuranceDetails | None:
        """The insurance details, or None when none were given."""
        return None if self.insurance is None or self.insurance.is_empty() else self.insurance


class StaffInquiry(NewInquiry):
    """A new inquiry taken by staff on the phone, who may assign it and restrict it, and say
    whether the caller is on the line now (that call is then the first contact)."""

    assigned_to_id: values.record_id(what="assignee")
    is_restricted: values.yes_no()
    caller_on_line: values.yes_no()


class InquiryEdit(InquiryDetails):
    """Staff changing an inquiry's details (not its status)."""

    assigned_to_id: values.record_id(what="assignee")
    is_restricted: values.yes_no()
