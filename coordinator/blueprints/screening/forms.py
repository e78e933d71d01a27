"""The screening forms: one per instrument (its fields are its contract's), and the regimen rows.

The fields only render and carry what was posted; the contracts in `contracts/screening.py`
parse it and the services score it. `RECORD_FORMS[kind]` records a screening, `PREVIEW_FORMS`
(kinds plus "mme") reads what the live preview script posts, with the page's extra fields.
"""

from __future__ import annotations

from datetime import datetime

from wtforms import FormField, SelectMultipleField, StringField

from coordinator.blueprints.forms import ContractForm, date_input, datetime_input
from coordinator.blueprints.regimen_rows import RegimenRowForm, RegimenRows
from coordinator.clock import clinic_zone
from coordinator.contracts.screening import RECORDED, QuestionnaireInput, RegimenInput

# Row indices a browser sends (regimen-0-... to regimen-99-...); other keys are not rows.


def _checkboxes() -> SelectMultipleField:
    # The contract refuses unknown options, in the same words for the form and the API.
    return SelectMultipleField(validate_choice=False)


class ScreeningForm(ContractForm):
    """When the screening was given: now, unless staff enter one given earlier."""

    administered_at = datetime_input(
        "Given at", "Clinic time, not in the future. Change it when entering a screening given earlier."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.administered_at.data = datetime.now(clinic_zone()).strftime("%Y-%m-%dT%H:%M")


def _questionnaire_form(contract: type[QuestionnaireInput]) -> type[ScreeningForm]:
    fields = {key: StringField() for key in contract.items}  # radio buttons, drawn by the template
    return type(f"{contract.__name__.removesuffix('Input')}Form", (ScreeningForm,), {"contract": contract, **fields})


class Dsm5OudForm(ScreeningForm):
    contract = RECORDED["dsm5_oud"]

    taken_as_prescribed_under_supervision = StringField()
    criteria = _checkboxes()
    behaviours = _checkboxes()


class MedicalFlagsForm(ScreeningForm):
    contract = RECORDED["medical_flags"]

    flags = _checkboxes()
    last_overdose_on = date_input(
        "Date of the last overdose, if any",
        "An overdose in the last 12 months is flagged even if the box above is not ticked.",
    )


class MedicalFlagsPreviewForm(MedicalFlagsForm):
    mme_per_day = StringField()  # the inquiry's, sent by the page along with the answers


class RegimenForm(ContractForm):
    contract = RegimenInput

    regimen = RegimenRows(FormField(RegimenRowForm))


RECORD_FORMS: dict[str, type[ScreeningForm]] = {
    "dsm5_oud": Dsm5OudForm,
    "medical_flags": MedicalFlagsForm,
    **{kind: _questionnaire_form(c) for kind, c in RECORDED.items() if issubclass(c, QuestionnaireInput)},
}
PREVIEW_FORMS: dict[str, type[ContractForm]] = RECORD_FORMS | {
    "medical_flags": MedicalFlagsPreviewForm,
    "mme": RegimenForm,
}
