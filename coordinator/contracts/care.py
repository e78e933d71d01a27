"""Input contracts for the care half: ASAM assessments, placement decisions, level-of-care moves
and discharges. Shapes only; the services check what needs the database (the episode, its
segments, the program) and the rules what needs clinical tables."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.messages import define
from coordinator.contracts.values.cursor import list_cursor
from coordinator.domain.care import AsamEdition, AssessmentOccasion, CareStatusFilter, LevelOfCare
from coordinator.rules.level_moves import DischargeKind, MoveKind

NOTES_LIMIT = 4000
REASON_LIMIT = 1000
HOSPITAL_NAME_LIMIT = 160
HOSPITAL_CONTACT_LIMIT = 200
SEARCH_LIMIT = 100

define(
    {
        "assessment_edition_required": "Choose the ASAM Criteria edition the ratings follow.",
        "asam_rating_required": "Rate this dimension from 0 (no risk) to 4 (highest risk).",
        "decision_assessment_required": "Choose the assessment the decision follows.",
        "decision_level_required": "Choose the level of care.",
        "decision_program_required": "Choose the program.",
        "move_kind_required": "Choose what happens: a step down or up, a transfer, a leave, a return or the discharge.",
        "move_date_required": "Enter the date of the move.",
        "move_reason_required": "Give the reason.",
        "hospital_name_required": "Name the partner hospital.",
        "restriction_reason_required": "Give the reason for changing the restriction.",
    }
)


def _rating(n: int):
    return values.whole_number(what=f"dimension {n} rating", minimum=0, maximum=4, required="asam_rating_required")


class AsamAssessmentInput(Contract):
    """The six ASAM dimensions, each rated 0-4 with the clinician's notes, and the edition."""

    edition: values.choice(AsamEdition, required="assessment_edition_required", what="ASAM edition")
    occasion: values.choice(AssessmentOccasion, default=AssessmentOccasion.ADMISSION, what="occasion")
    rating_1: _rating(1)
    rating_2: _rating(2)
    rating_3: _rating(3)
    rating_4: _rating(4)
    rating_5: _rating(5)
    rating_6: _rating(6)
    notes_1: values.text(NOTES_LIMIT, multiline=True)
    notes_2: values.text(NOTES_LIMIT, multiline=True)
    notes_3: values.text(NOTES_LIMIT, multiline=True)
    notes_4: values.text(NOTES_LIMIT, multiline=True)
    notes_5: values.text(NOTES_LIMIT, multiline=True)
    notes_6: values.text(NOTES_LIMIT, multiline=True)

    def ratings(self) -> dict[int, int]:
        return {n: getattr(self, f"rating_{n}") for n in range(1, 7)}


class PlacementDecisionInput(Contract):
    """The level and program chosen after an assessment; the reason is required (by the service)
    when the choice differs from the recommendation."""

    assessment_id: values.record_id(what="assessment", required="decision_assessment_required")
    level_of_care: values.choice(LevelOfCare, required="decision_level_required", what="level of care")
    program_id: values.record_id(what="program", required="decision_program_required")
    reason: values.text(REASON_LIMIT, multiline=True)
    planned_discharge_on: values.day(what="planned discharge date")


class PlannedDischargeInput(Contract):
    """The planned end of the stay (empty: none planned); discharge planning is reminded of before it."""

    planned_discharge_on: values.day(what="planned discharge date")


class MoveInput(Contract):
    """A move of an episode on a day: a step down or up, a transfer, a leave, a return or the
    discharge. What each kind needs (a level, a program, a discharge kind) is the rule's to say
    (`rules/level_moves`); the hospital's details go with a move into partner-hospital detox."""

    kind: values.choice(MoveKind, required="move_kind_required", what="kind of move")
    on: values.day(what="date of the move", required="move_date_required")
    reason: values.text(REASON_LIMIT, multiline=True, required="move_reason_required")
    level_of_care: values.choice(LevelOfCare, what="level of care")
    program_id: values.record_id(what="program")
    discharge_kind: values.choice(DischargeKind, what="kind of discharge")
    hospital_name: values.text(HOSPITAL_NAME_LIMIT)
    hospital_contact: values.text(HOSPITAL_CONTACT_LIMIT)
    expected_transfer_on: values.day(what="expected transfer date")
    # The clinical lead's reason for moving someone into a full program (services/census.py).
    over_capacity_reason: values.text(REASON_LIMIT, multiline=True)


class PatientFilter(Contract):
    """The patient list's search (a name, accents and case ignored, or a record number), filters
    and page (a GET form: anything odd is dropped)."""

    q: values.text(SEARCH_LIMIT)
    level: values.choice(LevelOfCare, what="level of care")
    status: values.choice(CareStatusFilter, what="care status")
    cursor: list_cursor()


class PatientRestrictionInput(Contract):
    """Raise or lower a patient's own restriction, with the reason (audited)."""

    restricted: values.yes_no()
    reason: values.text(REASON_LIMIT, multiline=True, required="restriction_reason_required")


class HospitalDetailsInput(Contract):
    """The partner hospital's details on a detox segment: its name, contact and the expected
    transfer date (the name is required, as for a move into detox)."""

    hospital_name: values.text(HOSPITAL_NAME_LIMIT, required="hospital_name_required")
    hospital_contact: values.text(HOSPITAL_CONTACT_LIMIT)
    expected_transfer_on: values.day(what="expected transfer date")
