"""The care forms: fields only render and carry what was posted; the contracts in
`contracts/care.py` parse it and the services enforce the rest."""

from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField

from coordinator.blueprints.forms import ContractForm
from coordinator.contracts.care import NOTES_LIMIT, AsamAssessmentInput
from coordinator.domain.care import AsamEdition, AssessmentOccasion


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
