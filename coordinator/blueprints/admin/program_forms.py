"""Forms for programs, payers and the break-the-glass review log."""

from wtforms import BooleanField, StringField, TextAreaField

from coordinator.blueprints.admin.forms import select
from coordinator.blueprints.forms import ContractForm, text_input
from coordinator.contracts import payers, programs
from coordinator.contracts.admin import BreakGlassFilterInput, BreakGlassShow
from coordinator.contracts.payers import PayerInput
from coordinator.contracts.programs import ProgramInput
from coordinator.domain.care import AsamEdition, LevelOfCare


class ProgramForm(ContractForm):
    contract = ProgramInput

    name = text_input("Name", programs.NAME_LIMIT)
    level_of_care = select("Level of care", [("", "— choose —")] + LevelOfCare.choices())
    asam_edition = select(
        "ASAM Criteria edition",
        [("", "— choose —")] + AsamEdition.choices(),
        description="A level code means different things by edition (2.5 is PHP in the 3rd, "
        "High-Intensity Outpatient in the 4th), so both are kept.",
    )
    asam_level = text_input(
        "ASAM level",
        programs.ASAM_LEVEL_LIMIT,
        "Residential 3.1/3.5/3.7; PHP 2.5; IOP and virtual IOP 2.1; "
        "partner-hospital detox 4 (4-WM or 3.7-WM in the 3rd edition).",
    )
    capacity = StringField("Places", render_kw={"type": "number", "min": 1, "max": programs.MAX_CAPACITY})
    is_active = BooleanField("Accepting admissions", default=True)


class BreakGlassFilterForm(ContractForm):
    contract = BreakGlassFilterInput

    class Meta:
        csrf = False

    show = select("Show", BreakGlassShow.choices(), default=BreakGlassShow.UNREVIEWED.value)
    page = StringField()
    cursor = StringField()  # from the pager's links; not rendered in the form


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
