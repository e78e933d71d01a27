"""Forms for programs, payers and the break-the-glass review log."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.forms import ContractForm, text_input
from coordinator.contracts import payers
from coordinator.contracts.payers import PayerInput
from coordinator.domain.care import AsamEdition, LevelOfCare


class ProgramForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(message="Enter the program's name."), Length(max=120)])
    level_of_care = SelectField(
        "Level of care",
        choices=choices([("", "— choose —")] + LevelOfCare.choices()),
        validators=[InputRequired(message="Choose the level of care.")],
    )
    asam_edition = SelectField(
        "ASAM Criteria edition",
        choices=choices([("", "— choose —")] + AsamEdition.choices()),
        validators=[InputRequired(message="Choose the edition.")],
        description="A level code means different things by edition (2.5 is PHP in the 3rd, "
        "High-Intensity Outpatient in the 4th), so both are kept.",
    )
    asam_level = StringField(
        "ASAM level",
        validators=[InputRequired(message="Enter the ASAM level, e.g. 3.7."), Length(max=10)],
        description="Residential 3.1/3.5/3.7; PHP 2.5; IOP and virtual IOP 2.1; "
        "partner-hospital detox 4 (4-WM or 3.7-WM in the 3rd edition).",
    )
    capacity = IntegerField(
        "Places", validators=[InputRequired(message="Enter the number of places."), NumberRange(min=1, max=10000)]
    )
    is_active = BooleanField("Accepting admissions", default=True)


class BreakGlassFilterForm(FlaskForm):
    class Meta:
        csrf = False

    show = SelectField(
        "Show",
        choices=choices([("unreviewed", "Not yet reviewed"), ("all", "All")]),
        default="unreviewed",
        validators=[Optional()],
    )
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])


class PayerForm(ContractForm):
    contract = PayerInput

    name = text_input("Name", payers.NAME_LIMIT)
    payer_code = text_input(
        "Payer id",
        payers.CODE_LIMIT,
        "The payer's identifier in electronic eligibility (X12 270/271), if known.",
    )
    phone = text_input("Provider services phone", 40)
    notes = TextAreaField(
        "Notes",
        render_kw={"rows": 3, "maxlength": payers.NOTES_LIMIT},
        description="How to reach a person, portal address, carve-outs for behavioural health.",
    )
    is_active = BooleanField("In use", default=True)
