"""The care forms: fields only render and carry what was posted; the contracts in
`contracts/care.py` parse it and the services enforce the rest."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField

from coordinator.blueprints.forms import ContractForm, date_input, text_input
from coordinator.contracts.care import (
    HOSPITAL_CONTACT_LIMIT,
    HOSPITAL_NAME_LIMIT,
    NOTES_LIMIT,
    REASON_LIMIT,
    SEARCH_LIMIT,
    AsamAssessmentInput,
    HospitalDetailsInput,
    MoveInput,
    PatientFilter,
    PatientRestrictionInput,
    PlacementDecisionInput,
    PlannedDischargeInput,
)
from coordinator.domain.care import AsamEdition, AssessmentOccasion, CareStatusFilter, LevelOfCare
from coordinator.rules.level_moves import DischargeKind


def _notes(label: str) -> TextAreaField:
    return TextAreaField(label, render_kw={"maxlength": NOTES_LIMIT, "rows": 3})


class AssessmentForm(ContractForm):
    contract = AsamAssessmentInput

    edition = SelectField("ASAM Criteria edition", choices=AsamEdition.choices(), validate_choice=False)
    occasion = SelectField("Occasion", choices=AssessmentOccasion.choices(), validate_choice=False)


for _n in range(1, 7):
    setattr(AssessmentForm, f"rating_{_n}", StringField())  # radio buttons, drawn by the template
    setattr(AssessmentForm, f"notes_{_n}", _notes(f"Notes on dimension {_n}"))
del _n


class DecisionForm(ContractForm):
    contract = PlacementDecisionInput

    assessment_id = HiddenField()
    level_of_care = SelectField("Level of care chosen", choices=LevelOfCare.choices(), validate_choice=False)
    program_id = SelectField("Program", choices=[], validate_choice=False)
    reason = TextAreaField(
        "Reason (required when the choice differs from the recommendation)",
        render_kw={"maxlength": REASON_LIMIT, "rows": 2},
    )
    planned_discharge_on = date_input(
        "Planned discharge date (optional)", "Case managers are reminded to plan the discharge before it."
    )


class PlannedDischargeForm(ContractForm):
    contract = PlannedDischargeInput

    planned_discharge_on = date_input("Planned discharge date", "Leave empty when no end of the stay is planned.")


class MoveForm(ContractForm):
    contract = MoveInput

    kind = SelectField("What happens", choices=[], validate_choice=False)
    on = date_input("On")
    level_of_care = SelectField(
        "To level of care", choices=[("", "— the same —"), *LevelOfCare.choices()], validate_choice=False
    )
    program_id = SelectField("Program", choices=[], validate_choice=False)
    discharge_kind = SelectField(
        "Kind of discharge", choices=[("", "— not a discharge —"), *DischargeKind.choices()], validate_choice=False
    )
    reason = TextAreaField("Reason", render_kw={"maxlength": REASON_LIMIT, "rows": 2})
    hospital_name = text_input("Partner hospital", HOSPITAL_NAME_LIMIT)
    hospital_contact = text_input("Hospital contact (name, phone)", HOSPITAL_CONTACT_LIMIT)
    expected_transfer_on = date_input("Expected transfer into the program")
    over_capacity_reason = TextAreaField(
        "Reason for going over capacity (clinical lead only)", render_kw={"maxlength": REASON_LIMIT, "rows": 2}
    )


class PatientFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    contract = PatientFilter

    q = text_input("Search", SEARCH_LIMIT)
    level = SelectField("Level of care now", choices=[("", "Any level"), *LevelOfCare.choices()], validate_choice=False)
    status = SelectField(
        "In care", choices=[("", "In care or discharged"), *CareStatusFilter.choices()], validate_choice=False
    )
    cursor = HiddenField()  # from the pager's links; never rendered in the form (a new search starts over)


class RestrictionForm(ContractForm):
    contract = PatientRestrictionInput

    restricted = BooleanField("Restricted (discreet): only administrators, the assignee and a break-the-glass")
    reason = TextAreaField("Reason", render_kw={"maxlength": REASON_LIMIT, "rows": 2})


class HospitalDetailsForm(ContractForm):
    contract = HospitalDetailsInput

    hospital_name = text_input("Partner hospital", HOSPITAL_NAME_LIMIT)
    hospital_contact = text_input("Hospital contact (name, phone)", HOSPITAL_CONTACT_LIMIT)
    expected_transfer_on = date_input("Expected transfer into the program")
