"""Input contracts for the care half: ASAM assessments, placement decisions, level-of-care moves
and discharges. Shapes only; the services check what needs the database (the episode, its
segments, the program) and the rules what needs clinical tables."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.messages import define
from coordinator.domain.care import AsamEdition, AssessmentOccasion

NOTES_LIMIT = 4000
REASON_LIMIT = 1000

define(
    {
        "assessment_edition_required": "Choose the ASAM Criteria edition the ratings follow.",
        "asam_rating_required": "Rate this dimension from 0 (no risk) to 4 (highest risk).",
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
