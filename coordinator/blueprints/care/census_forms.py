"""Forms of the census board, the beds and the waitlist: fields only render and carry what was
posted; `contracts/census.py` parses it and `services/census.py` enforces the rest."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField

from coordinator.blueprints.forms import ContractForm, date_input, text_input
from coordinator.contracts.census import (
    BED_NAME_LIMIT,
    NOTE_LIMIT,
    BedAssignmentInput,
    BedInput,
    WaitlistInput,
    WaitlistOfferInput,
    WaitlistOutcomeInput,
)
from coordinator.models.census import WaitlistOutcome


class BedForm(ContractForm):
    contract = BedInput

    name = text_input("Bed name", BED_NAME_LIMIT)


class BedAssignmentForm(ContractForm):
    contract = BedAssignmentInput

    bed_id = SelectField("Bed", choices=[], validate_choice=False)
    episode_id = SelectField("Patient", choices=[], validate_choice=False)
    on = date_input("From")


class WaitlistForm(ContractForm):
    contract = WaitlistInput

    mrn = text_input("Patient's medical record number", 20, placeholder="MRN-000042-2")
    inquiry_id = text_input("or the inquiry number (not admitted yet)", 12, inputmode="numeric")
    note = TextAreaField("Note", render_kw={"maxlength": NOTE_LIMIT, "rows": 2})


class OfferForm(ContractForm):
    contract = WaitlistOfferInput

    bed_id = SelectField("Bed to offer", choices=[], validate_choice=False)


class OutcomeForm(ContractForm):
    contract = WaitlistOutcomeInput

    outcome = SelectField("Outcome", choices=WaitlistOutcome.choices(), validate_choice=False)
