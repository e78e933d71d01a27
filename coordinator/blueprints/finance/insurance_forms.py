"""Forms for the insurance pages. They render and check the CSRF token; each form's contract
(`contracts/coverage.py`, `verification.py`, `authorization.py`) parses what was posted, and the
services enforce the rest.

A verification form has one `FormField` per service line, named after it; its inputs are posted
as "sud_residential__copay", and a problem at "sud_residential.copay" shows beside that input.
"""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, Form, FormField, SelectField, TextAreaField

from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.forms import ContractForm, date_input, text_input
from coordinator.contracts import authorization, coverage, verification
from coordinator.contracts.authorization import AuthorizationInput
from coordinator.contracts.coverage import CoverageInput
from coordinator.contracts.verification import (
    DISCARD_REASON_LIMIT,
    EXPLANATION_LIMIT,
    ConfirmVerificationInput,
    DiscardVerificationInput,
    DraftVerificationInput,
    StayEstimateInput,
    VerificationInput,
)
from coordinator.domain.care import LevelOfCare
from coordinator.domain.insurance import (
    AuthorizationUnit,
    CopayPer,
    CoverageRank,
    LimitUnit,
    NetworkStatus,
    PlanType,
    ServiceLine,
    SubscriberRelationship,
    VerificationMethod,
    VerificationStatus,
)
from coordinator.domain.intake import Sex
from coordinator.rules import money
from coordinator.rules.authorization_lifecycle import AuthorizationStatus, statuses_from

YES_NO_UNKNOWN = [("", "Not known"), ("yes", "Yes"), ("no", "No")]
NUMBER = {"inputmode": "numeric"}
DECIMAL = {"inputmode": "decimal"}


def _select(label, pairs, *, blank: str | None = "—", **kwargs) -> SelectField:
    # validate_choice=False: the contract refuses unknown values with its own message.
    options = choices([("", blank), *pairs]) if blank is not None else choices(list(pairs))
    return SelectField(label, choices=options, validate_choice=False, **kwargs)


def _yes_no_unknown_value(value) -> str:
    """A stored True/False/None as the select's value ("yes", "no", "")."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def _yes_no_unknown(label: str) -> SelectField:
    return SelectField(label, choices=choices(YES_NO_UNKNOWN), coerce=_yes_no_unknown_value, validate_choice=False)


class CoverageForm(ContractForm):
    contract = CoverageInput

    rank = _select("Coverage", CoverageRank.choices(), blank=None)
    payer_id = SelectField(
        "Payer",
        choices=[],
        validate_choice=False,
        description="The payers administrators keep. Not listed? Type the insurer's name below.",
    )
    payer_name = text_input("Insurer's name, if not listed", coverage.NAME_LIMIT)
    plan_type = _select("Plan type", PlanType.choices())
    plan_name = text_input("Plan name", coverage.NAME_LIMIT)
    member_id = text_input(
        "Member id", coverage.MEMBER_ID_LIMIT * 2, "As printed on the card (spaces are removed).", autocomplete="off"
    )
    group_number = text_input("Group number", coverage.GROUP_NUMBER_LIMIT * 2, autocomplete="off")
    relationship_to_subscriber = _select(
        "Patient's relationship to the insured",
        SubscriberRelationship.choices(),
        blank=None,
        default=SubscriberRelationship.SELF.value,
    )
    subscriber_name = text_input(
        "Insured person's name", coverage.SUBSCRIBER_NAME_LIMIT, "Only when the patient is not the policy holder."
    )
    subscriber_dob = date_input("Insured person's date of birth")
    subscriber_sex = _select("Insured person's sex", Sex.choices())
    effective_from = date_input("Coverage starts")
    effective_to = date_input("Coverage ends")
    notes = TextAreaField("Notes", render_kw={"rows": 3, "maxlength": coverage.NOTES_LIMIT})

    def offer_payers(self, payers, current=None) -> None:
        """The kept payers to choose from, plus the coverage's own if it was retired since."""
        options = [("", "— not listed —")] + [(str(p.id), p.name) for p in payers]
        if current is not None and all(p.id != current.id for p in payers):
            options.append((str(current.id), f"{current.name} (no longer in use)"))
        self.payer_id.choices = choices(options)


class ServiceLineForm(Form):
    """One service line's benefits (a subform: the page's CSRF token covers it)."""

    covered = _yes_no_unknown("Covered")
    prior_auth_required = _yes_no_unknown("Prior authorization required")
    coinsurance_percent = text_input("Co-insurance %", 10, **DECIMAL)
    copay = text_input("Co-pay", 40, **DECIMAL)
    copay_per = _select("per", CopayPer.choices())
    deductible_individual = text_input("Deductible (individual)", 40, **DECIMAL)
    deductible_individual_met = text_input("met so far", 40, **DECIMAL)
    deductible_family = text_input("Deductible (family)", 40, **DECIMAL)
    deductible_family_met = text_input("met so far", 40, **DECIMAL)
    oop_individual = text_input("Out-of-pocket max (individual)", 40, **DECIMAL)
    oop_individual_met = text_input("met so far", 40, **DECIMAL)
    oop_family = text_input("Out-of-pocket max (family)", 40, **DECIMAL)
    oop_family_met = text_input("met so far", 40, **DECIMAL)
    limit_quantity = text_input("Limit", 9, **NUMBER)
    limit_unit = _select("unit", LimitUnit.choices())
    limit_period = text_input("per (e.g. calendar year)", 60)
    carve_out = text_input("Carve-out (who manages it)", 300)
    notes = text_input("Notes", 500)


def _line(line: ServiceLine) -> FormField:
    return FormField(ServiceLineForm, label=line.label, separator="__")


class _VerificationForm(ContractForm):
    status = _select("What the check found", VerificationStatus.choices(), blank="— choose —")
    network_status = _select("Network", NetworkStatus.choices(), blank=None, default=NetworkStatus.UNKNOWN.value)
    out_of_network_benefits = _yes_no_unknown("Out-of-network benefits")
    payer_reference = text_input(
        "Payer's reference number",
        verification.PAYER_REFERENCE_LIMIT,
        "The call reference or the portal's confirmation number.",
        autocomplete="off",
    )
    payer_contact = text_input("Who we spoke to", verification.PAYER_CONTACT_LIMIT)
    plan_begin = date_input("Plan year begins")
    plan_end = date_input("Plan year ends")
    currency = SelectField(
        "Currency of the amounts",
        choices=choices([(c.code, c.label) for c in money.currency_choices() if c.minor_units <= 2]),
        default=verification.DEFAULT_CURRENCY,
        validate_choice=False,
    )
    notes = TextAreaField("Notes", render_kw={"rows": 3, "maxlength": verification.NOTES_LIMIT})
    sud_residential = _line(ServiceLine.SUD_RESIDENTIAL)
    sud_outpatient = _line(ServiceLine.SUD_OUTPATIENT)
    mental_health = _line(ServiceLine.MENTAL_HEALTH)
    pharmacy = _line(ServiceLine.PHARMACY)

    def service_lines(self) -> list[tuple[ServiceLine, FormField]]:
        """Each service line with its subform, in the order the page shows them."""
        return [(line, self[line.value]) for line in ServiceLine]


class VerificationForm(_VerificationForm):
    contract = VerificationInput

    method = _select(
        "How benefits were checked",
        [(m.value, m.label) for m in (VerificationMethod.PHONE, VerificationMethod.PORTAL)],
        blank=None,
    )


class DraftVerificationForm(_VerificationForm):
    """Correcting a 271 draft: the method stays "electronic"."""

    contract = DraftVerificationInput


class Import271Form(ContractForm):
    """The upload (no contract: the file is the parser's to judge)."""

    file = FileField(
        "271 file",
        validators=[FileRequired(message="Choose the 271 file the payer sent.")],
        description="The eligibility response (.x12, .edi or .txt) from the payer or clearinghouse.",
    )


class EstimateForm(ContractForm):
    contract = StayEstimateInput

    service_line = SelectField("Service line", choices=[], validate_choice=False)
    daily_rate = text_input("Daily rate billed", 40, **DECIMAL)
    days = text_input("Length of stay (days)", 9, **NUMBER)
    authorized_days = text_input(
        "Days authorized so far", 9, "Leave empty if no authorization has been decided yet.", **NUMBER
    )

    def offer_lines(self, verification) -> None:
        """The service lines the verification has benefits for."""
        self.service_line.choices = choices(
            [(line.service_line.value, line.service_line.label) for line in verification.lines]
        )


class AuthorizationForm(ContractForm):
    contract = AuthorizationInput

    level_of_care = _select("Level of care", LevelOfCare.choices(), blank="— choose —")
    coverage_id = SelectField("Coverage", choices=[], validate_choice=False)
    status = _select("Status", AuthorizationStatus.choices(), blank="— choose —")
    auth_number = text_input("Authorization number", authorization.AUTH_NUMBER_LIMIT, autocomplete="off")
    unit = _select("Counted in", AuthorizationUnit.choices(), blank=None)
    requested_units = text_input("Requested", 9, **NUMBER)
    approved_units = text_input("Approved", 9, **NUMBER)
    start_date = date_input("First covered day")
    end_date = date_input(
        "Last covered day", "Left empty for days, it is worked out from the first day and the days approved."
    )
    next_review_date = date_input(
        "Next review", "Billing is reminded before this date and before the last covered day."
    )
    payer_contact = text_input("Payer contact (reviewer)", authorization.PAYER_CONTACT_LIMIT)
    note = TextAreaField("Review note", render_kw={"rows": 3, "maxlength": authorization.NOTE_LIMIT})

    def offer(self, coverages, current: AuthorizationStatus | None = None) -> None:
        """The inquiry's coverages, and the statuses the authorization may take now (its own and
        the moves the lifecycle allows; any status for a new one)."""
        self.coverage_id.choices = choices(
            [("", "— none / not known —")] + [(str(c.id), f"{c.rank.label} — {c.insurer}") for c in coverages]
        )
        offered = [(status.value, status.label) for status in statuses_from(current)]
        self.status.choices = choices(offered if current else [("", "— choose —"), *offered])


class ConfirmVerificationForm(ContractForm):
    """The confirm step: a tick that the draft was checked, and the explanation of a mismatch."""

    contract = ConfirmVerificationInput

    checked = BooleanField("I checked this draft against the payer's response; it is right for this patient")
    explanation = TextAreaField(
        "Why the 271 is right for this patient although it differs from the record",
        render_kw={"rows": 3, "maxlength": EXPLANATION_LIMIT},
    )


class DiscardVerificationForm(ContractForm):
    contract = DiscardVerificationInput

    reason = TextAreaField(
        "Why it is being discarded",
        description="Kept with it and shown, e.g. “271 for another patient”, “patient will pay privately”.",
        render_kw={"rows": 2, "maxlength": DISCARD_REASON_LIMIT},
    )
