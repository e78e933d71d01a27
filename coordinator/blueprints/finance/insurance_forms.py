"""Forms for the insurance pages. They only shape input; services/insurance.py and
services/authorizations.py validate everything again and word the messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from coordinator.blueprints.admin.forms import choices
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
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.services.insurance import LINE_FIELDS, line_field

DATE = {"type": "date"}
YES_NO_UNKNOWN = [("", "Not known"), ("yes", "Yes"), ("no", "No")]


def _max(limit: int) -> Length:
    return Length(max=limit, message=f"Use at most {limit} characters.")


def _blank(pairs, label="—"):
    return choices([("", label)] + list(pairs))


def _select(label, pairs, *, blank: str | None = "—", **kwargs) -> SelectField:
    # validate_choice=False: the service refuses unknown values with its own message.
    options = _blank(pairs, blank) if blank is not None else choices(list(pairs))
    return SelectField(label, choices=options, validate_choice=False, validators=[Optional()], **kwargs)


class CoverageForm(FlaskForm):
    rank = _select("Coverage", CoverageRank.choices(), blank=None)
    payer_id = SelectField(
        "Payer",
        choices=[],
        validate_choice=False,
        validators=[Optional()],
        description="The payers administrators keep. Not listed? Type the insurer's name below.",
    )
    payer_name = StringField("Insurer's name, if not listed", validators=[Optional(), _max(120)])
    plan_type = _select("Plan type", PlanType.choices())
    plan_name = StringField("Plan name", validators=[Optional(), _max(120)])
    member_id = StringField(
        "Member id", validators=[Optional(), _max(100)], description="As printed on the card (spaces are removed)."
    )
    group_number = StringField("Group number", validators=[Optional(), _max(70)])
    relationship_to_subscriber = _select(
        "Patient's relationship to the insured", SubscriberRelationship.choices(), blank=None
    )
    subscriber_name = StringField(
        "Insured person's name",
        validators=[Optional(), _max(160)],
        description="Only when the patient is not the policy holder.",
    )
    subscriber_dob = StringField("Insured person's date of birth", validators=[Optional(), _max(10)], render_kw=DATE)
    subscriber_sex = _select("Insured person's sex", Sex.choices())
    effective_from = StringField("Coverage starts", validators=[Optional(), _max(10)], render_kw=DATE)
    effective_to = StringField("Coverage ends", validators=[Optional(), _max(10)], render_kw=DATE)
    notes = TextAreaField("Notes", validators=[Optional(), _max(2000)], render_kw={"rows": 3})


class _VerificationFields(FlaskForm):
    status = _select("What the check found", VerificationStatus.choices(), blank="— choose —")
    network_status = _select("Network", NetworkStatus.choices(), blank=None, default=NetworkStatus.UNKNOWN.value)
    out_of_network_benefits = _select("Out-of-network benefits", YES_NO_UNKNOWN[1:], blank="Not known")
    payer_reference = StringField(
        "Payer's reference number",
        validators=[Optional(), _max(80)],
        description="The call reference or the portal's confirmation number.",
    )
    payer_contact = StringField("Who we spoke to", validators=[Optional(), _max(120)])
    plan_begin = StringField("Plan year begins", validators=[Optional(), _max(10)], render_kw=DATE)
    plan_end = StringField("Plan year ends", validators=[Optional(), _max(10)], render_kw=DATE)
    currency = SelectField(
        "Currency of the amounts",
        choices=choices([(c.code, c.label) for c in money.currency_choices() if c.minor_units <= 2]),
        default="USD",
        validate_choice=False,
        validators=[Optional()],
    )
    notes = TextAreaField("Notes", validators=[Optional(), _max(2000)], render_kw={"rows": 3})


class VerificationForm(_VerificationFields):
    method = _select(
        "How benefits were checked",
        [(m.value, m.label) for m in (VerificationMethod.PHONE, VerificationMethod.PORTAL)],
        blank=None,
    )


class DraftVerificationForm(_VerificationFields):
    """Correcting a 271 draft: the method stays "electronic"."""


LINE_LABELS = {
    "covered": "Covered",
    "deductible_individual": "Deductible (individual)",
    "deductible_individual_met": "met so far",
    "deductible_family": "Deductible (family)",
    "deductible_family_met": "met so far",
    "oop_individual": "Out-of-pocket max (individual)",
    "oop_individual_met": "met so far",
    "oop_family": "Out-of-pocket max (family)",
    "oop_family_met": "met so far",
    "copay": "Co-pay",
    "copay_per": "per",
    "coinsurance_percent": "Co-insurance %",
    "prior_auth_required": "Prior authorization required",
    "limit_quantity": "Limit",
    "limit_unit": "unit",
    "limit_period": "per (e.g. calendar year)",
    "carve_out": "Carve-out (who manages it)",
    "notes": "Notes",
}


def _line_field(name: str):
    label = LINE_LABELS[name]
    if name in ("covered", "prior_auth_required"):
        return SelectField(label, choices=choices(YES_NO_UNKNOWN), validate_choice=False, validators=[Optional()])
    if name == "copay_per":
        return _select(label, CopayPer.choices())
    if name == "limit_unit":
        return _select(label, LimitUnit.choices())
    if name == "notes":
        return StringField(label, validators=[Optional(), _max(500)])
    if name == "carve_out":
        return StringField(label, validators=[Optional(), _max(300)])
    return StringField(label, validators=[Optional(), _max(60)])


# One field per service line and value: "sud_residential__copay", the names the service's errors use.
for _form in (VerificationForm, DraftVerificationForm):
    for _line in ServiceLine:
        for _name in LINE_FIELDS:
            setattr(_form, line_field(_line, _name), _line_field(_name))


def line_fields(form, service_line: ServiceLine) -> dict:
    """The bound fields of one service line, by value name ("copay" -> field)."""
    return {name: getattr(form, line_field(service_line, name)) for name in LINE_FIELDS}


class Import271Form(FlaskForm):
    file = FileField(
        "271 file",
        validators=[FileRequired(message="Choose the 271 file the payer sent.")],
        description="The eligibility response (.x12, .edi or .txt) from the payer or clearinghouse.",
    )


class EstimateForm(FlaskForm):
    service_line = SelectField("Service line", choices=[], validate_choice=False, validators=[Optional()])
    daily_rate = StringField("Daily rate billed", validators=[Optional(), _max(40)])
    days = StringField("Length of stay (days)", validators=[Optional(), _max(9)], render_kw={"inputmode": "numeric"})
    authorized_days = StringField(
        "Days authorized so far",
        validators=[Optional(), _max(9)],
        render_kw={"inputmode": "numeric"},
        description="Leave empty if no authorization has been decided yet.",
    )


class AuthorizationForm(FlaskForm):
    level_of_care = _select("Level of care", LevelOfCare.choices(), blank="— choose —")
    coverage_id = SelectField("Coverage", choices=[], validate_choice=False, validators=[Optional()])
    status = _select("Status", AuthorizationStatus.choices(), blank="— choose —")
    auth_number = StringField("Authorization number", validators=[Optional(), _max(50)])
    unit = _select("Counted in", AuthorizationUnit.choices(), blank=None)
    requested_units = StringField("Requested", validators=[Optional(), _max(9)], render_kw={"inputmode": "numeric"})
    approved_units = StringField("Approved", validators=[Optional(), _max(9)], render_kw={"inputmode": "numeric"})
    start_date = StringField("First covered day", validators=[Optional(), _max(10)], render_kw=DATE)
    end_date = StringField(
        "Last covered day",
        validators=[Optional(), _max(10)],
        render_kw=DATE,
        description="Left empty for days, it is worked out from the first day and the days approved.",
    )
    next_review_date = StringField(
        "Next review",
        validators=[Optional(), _max(10)],
        render_kw=DATE,
        description="Billing is reminded before this date and before the last covered day.",
    )
    payer_contact = StringField("Payer contact (reviewer)", validators=[Optional(), _max(120)])
    note = TextAreaField("Review note", validators=[Optional(), _max(2000)], render_kw={"rows": 3})


class ConfirmForm(FlaskForm):
    """A CSRF-protected button."""
