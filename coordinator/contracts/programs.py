"""Input contract for programs (reference data kept by administrators)."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.messages import define
from coordinator.domain.care import AsamEdition, LevelOfCare
from coordinator.errors import Problem
from coordinator.rules import asam
from coordinator.rules.errors import RuleError

NAME_LIMIT = 120
ASAM_LEVEL_LIMIT = 10
MAX_CAPACITY = 10000

define(
    {
        "program_name_required": "Enter the program's name.",
        "program_name_taken": "Another program already has this name.",
        "level_of_care_required": "Choose the level of care.",
        "asam_edition_required": "Choose the ASAM Criteria edition.",
        "asam_level_required": "Enter the ASAM level, e.g. 3.7.",
        # Staff read the ASAM rule's own sentence (it names the levels that would fit); this is
        # the wording for any other reader of the code.
        "asam_level_invalid": "This ASAM level is not in the edition or does not fit the level of care.",
        "capacity_required": "Enter the number of places.",
    }
)


class ProgramInput(Contract):
    """A program as an administrator enters or edits it."""

    name: values.text(NAME_LIMIT, required="program_name_required")
    level_of_care: values.choice(LevelOfCare, required="level_of_care_required")
    asam_edition: values.choice(AsamEdition, required="asam_edition_required")
    asam_level: values.text(ASAM_LEVEL_LIMIT, required="asam_level_required")
    capacity: values.whole_number(
        what="number of places", minimum=1, maximum=MAX_CAPACITY, required="capacity_required"
    )
    is_active: values.yes_no(default=True)

    def problems(self):
        # A level code means different things by edition; the rule knows which fit which care.
        try:
            asam.check_program_level(self.level_of_care.value, self.asam_edition.value, self.asam_level)
        except RuleError as refusal:
            yield Problem(refusal.field, refusal.message, "asam_level_invalid")
