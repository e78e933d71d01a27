"""The public inquiry form: a whitelist of fields a visitor may fill in, in plain words.

Fields carry no validators of their own: the `NewInquiry` contract checks the values, exactly as
for the phone form and the API, and the view puts its problems next to the fields (reworded for
visitors by problem code: `wording.py`). Staff-only fields (restricted flag, assignment) are
simply not here, so the contract never sees them. The optional insurance fieldset is a FormField
(`insurance_<field>` in the page, `insurance.<field>` in problem paths).
"""

from __future__ import annotations

from wtforms import (
    BooleanField,
    Form,
    FormField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget

from coordinator.blueprints.forms import ContractForm
from coordinator.blueprints.public.wording import for_visitors
from coordinator.clock import clinic_context
from coordinator.contracts.base import form_data
from coordinator.contracts.intake import INSURANCE_TEXT_LIMITS, TEXT_LIMITS, NewInquiry
from coordinator.domain.insurance import PlanType, SubscriberRelationship
from coordinator.domain.intake import CallerRelationship, ContactMethod, ReferralSource, Substance, Urgency

RELATIONSHIP_CHOICES = [("", "Choose one")] + [
    (CallerRelationship.SELF.value, "It's about me"),
    (CallerRelationship.SPOUSE_PARTNER.value, "My spouse or partner"),
    (CallerRelationship.PARENT.value, "My son or daughter (I'm their parent)"),
    (CallerRelationship.CHILD.value, "My mother or father (I'm their adult child)"),
    (CallerRelationship.SIBLING.value, "My brother or sister"),
    (CallerRelationship.OTHER_FAMILY.value, "Another family member"),
    (CallerRelationship.FRIEND.value, "A friend"),
    (CallerRelationship.PHYSICIAN.value, "My patient (I'm their doctor)"),
    (CallerRelationship.EMPLOYER.value, "An employee (I'm their employer)"),
    (CallerRelationship.OTHER.value, "Someone else"),
]
CONTACT_CHOICES = [
    (ContactMethod.PHONE.value, "A phone call"),
    (ContactMethod.TEXT.value, "A text message"),
    (ContactMethod.EMAIL.value, "An email"),
]
URGENCY_CHOICES = [
    (Urgency.ROUTINE.value, "Within the next week or so is fine"),
    (Urgency.SOON.value, "In the next few days, please"),
    (Urgency.URGENT.value, "Today, if at all possible"),
]
SUBSTANCE_CHOICES = [
    (Substance.PRESCRIBED_OPIOIDS.value, "Prescription pain medication (their own prescription)"),
    (Substance.NON_PRESCRIBED_OPIOIDS.value, "Pain medication not prescribed to them"),
    (Substance.HEROIN_FENTANYL.value, "Heroin or street fentanyl"),
    (Substance.BENZODIAZEPINES.value, "Anxiety medication such as Xanax or Valium"),
    (Substance.ALCOHOL.value, "Alcohol"),
    (Substance.STIMULANTS.value, "Stimulants such as cocaine, meth or Adderall"),
    (Substance.CANNABIS.value, "Cannabis"),
    (Substance.SLEEP_MEDICATION.value, "Sleep medication"),
    (Substance.OTHER.value, "Something else, or not sure"),
]
# Optional: a visitor who does not say reached us through this website, which is what "web" records.
NOT_SAID_SOURCE = ReferralSource.WEB
HEARD_CHOICES = [("", "Choose one (optional)")] + [
    (ReferralSource.WEB.value, "An online search or this website"),
    (ReferralSource.PHYSICIAN.value, "A doctor"),
    (ReferralSource.HOSPITAL.value, "A hospital"),
    (ReferralSource.FAMILY.value, "Family or a friend"),
    (ReferralSource.ALUMNI.value, "Someone who was treated here"),
    (ReferralSource.INSURER.value, "An insurance company"),
    (ReferralSource.EMPLOYER_ASSISTANCE.value, "An employee assistance program"),
    (ReferralSource.COURT.value, "A court or legal program"),
    (ReferralSource.SELF.value, "I found you myself"),
    (ReferralSource.OTHER.value, "Somewhere else"),
]
PLAN_TYPE_CHOICES = [("", "Not sure")] + [(plan.value, plan.label) for plan in PlanType]
POLICYHOLDER_CHOICES = [("", "Choose one")] + [
    (SubscriberRelationship.SELF.value, "The person who needs help: the insurance is in their name"),
    (SubscriberRelationship.SPOUSE.value, "Their spouse or partner"),
    (SubscriberRelationship.CHILD.value, "Their parent (they are covered as a son or daughter)"),
    (SubscriberRelationship.OTHER.value, "Someone else"),
]


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _text(label: str, name: str, description: str | None = None, **kw) -> StringField:
    return StringField(label, description=description, render_kw={"maxlength": TEXT_LIMITS[name], **kw})


def _insurance_text(label: str, name: str, description: str | None = None, **kw) -> StringField:
    return StringField(
        label,
        description=description,
        render_kw={"maxlength": INSURANCE_TEXT_LIMITS[name], "autocomplete": "off", **kw},
    )


def _story(label: str, name: str, description: str, rows: int) -> TextAreaField:
    # No `maxlength`: a browser cuts pasted text at it without a word. The contract refuses a
    # longer story and says by how much, so the visitor can shorten it themselves.
    limit = TEXT_LIMITS[name]
    return TextAreaField(label, description=f"{description} Up to {limit:,} characters.", render_kw={"rows": rows})


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class InsuranceForm(Form):
    """The insurance card's details (optional), as a visitor reads them."""

    insurer_name = _insurance_text(
        "Insurance company",
        "insurer_name",
        "As printed on the insurance card, for example Blue Cross Blue Shield of Texas.",
    )
    member_id = _insurance_text(
        "Member ID",
        "member_id",
        "As printed on the card (sometimes called the policy or ID number): letters, numbers, dashes and spaces.",
    )
    group_number = _insurance_text("Group number", "group_number", "If the card shows one.")
    plan_type = SelectField(
        "Type of plan",
        choices=choices(PLAN_TYPE_CHOICES),
        validate_choice=False,
        description="If you know it. It is often printed on the card.",
    )
    relationship_to_subscriber = SelectField(
        "Whose name is the insurance in?",
        choices=choices(POLICYHOLDER_CHOICES),
        validate_choice=False,
        description="The policyholder is the person the plan belongs to, for example through their job.",
    )
    subscriber_name = _insurance_text(
        "The policyholder's name",
        "subscriber_name",
        "Only if the insurance is in someone else's name: as printed on the card.",
    )
    subscriber_birth_date = StringField(
        "The policyholder's date of birth",
        description="Only if the insurance is in someone else's name.",
        render_kw={"type": "date", "autocomplete": "off"},
    )
    verification_requested = BooleanField(
        "Please check my insurance benefits before you call me",
        description="We ask your insurance company what your plan covers for treatment, so we can tell you "
        "when we speak. This does not commit you to anything.",
    )


class WebInquiryForm(ContractForm):
    contract = NewInquiry
    reword = staticmethod(for_visitors)

    caller_name = _text("Your name", "caller_name", autocomplete="name")
    caller_relationship = SelectField(
        "Who are you getting in touch about?", choices=choices(RELATIONSHIP_CHOICES), validate_choice=False
    )
    caller_phone = _text("Phone number", "caller_phone", autocomplete="tel", type="tel", inputmode="tel")
    caller_email = _text("Email address", "caller_email", autocomplete="email", type="email", inputmode="email")
    preferred_contact = RadioField("How should we reach you?", choices=choices(CONTACT_CHOICES), validate_choice=False)
    may_leave_message = BooleanField(
        "It's fine to leave a voicemail or message if we miss you",
        description="We never mention treatment in a message: only a name and a number.",
    )
    contact_instructions = _story(
        "Anything we should know about reaching you?",
        "contact_instructions",
        "For example “please text, don't call at work”.",
        rows=2,
    )
    patient_name = _text(
        "Their name", "patient_name", "If you are writing about yourself, put your own name. A first name is enough."
    )
    patient_dob = StringField("Their date of birth", description="If you know it.", render_kw={"type": "date"})
    patient_location = _text("Where do they live?", "patient_location", "City and state is enough.")
    presenting_concerns = _story(
        "What is going on?", "presenting_concerns", "Tell us as much or as little as you like.", rows=5
    )
    substances = MultiCheckboxField(
        "Is any of these involved?", choices=choices(SUBSTANCE_CHOICES), validate_choice=False
    )
    urgency = RadioField(
        "How soon would you like to talk?",
        choices=choices(URGENCY_CHOICES),
        default=Urgency.ROUTINE.value,
        validate_choice=False,
    )
    referral_source = SelectField("How did you hear about us?", choices=choices(HEARD_CHOICES), validate_choice=False)
    # Insurance (optional): as on the card. Nothing is saved about insurance unless something is filled in.
    insurance = FormField(InsuranceForm, separator="_")
    # A honeypot: hidden from people (and from screen readers), tempting to form-filling bots.
    website = StringField("Leave this empty", render_kw={"autocomplete": "off", "tabindex": "-1"})

    def parse(self):
        data = form_data(self, self.contract)
        if not data.get("referral_source"):
            data["referral_source"] = NOT_SAID_SOURCE.value
        return self.contract.parse(data, source="form", **clinic_context())

    def insurance_fields(self) -> list:
        return list(self.insurance.form)

    def shows_insurance(self) -> bool:
        """Open the insurance fieldset when it holds an answer or a problem."""
        return any(f.errors or (f.data not in (None, "", False)) for f in self.insurance_fields())

    def looks_automated(self) -> bool:
        # Every posted value counts, not just the first one WTForms keeps as `data`.
        return any(value.strip() for value in self.website.raw_data or () if isinstance(value, str))
