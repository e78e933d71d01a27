"""Levels of care, ASAM editions and admissions."""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class LevelOfCare(LabelledStrEnum):
    PARTNER_HOSPITAL_DETOX = "partner_hospital_detox", "Medically managed detox at a partner hospital"
    RESIDENTIAL = "residential", "Residential"
    PHP = "php", "Partial hospitalization (PHP)"
    IOP = "iop", "Intensive outpatient (IOP)"
    VIRTUAL_IOP = "virtual_iop", "Virtual IOP"


class AsamEdition(LabelledStrEnum):
    THIRD = "third_2013", "ASAM Criteria, 3rd edition (2013)"
    FOURTH = "fourth_2023", "ASAM Criteria, 4th edition (2023)"


class AdmissionStatus(LabelledStrEnum):
    ACTIVE = "active", "Active"
    DISCHARGED = "discharged", "Discharged"


class AssessmentOccasion(LabelledStrEnum):
    """Why an ASAM assessment was done: one at admission, then at each review and each move."""

    ADMISSION = "admission", "Admission"
    REVIEW = "review", "Level-of-care review"
    STEP_DOWN = "step_down", "Before a step-down"
    STEP_UP = "step_up", "Before a step-up"


class SegmentMove(LabelledStrEnum):
    """How a segment of an episode began: the admission, or a move of `rules/level_moves.MoveKind`
    (a discharge begins no segment)."""

    ADMISSION = "admission", "Admission"
    STEP_DOWN = "step_down", "Step down"
    STEP_UP = "step_up", "Step up"
    TRANSFER = "transfer", "Transfer"
    LEAVE_OF_ABSENCE = "leave_of_absence", "Leave of absence"
    RETURN_FROM_LEAVE = "return_from_leave", "Return from leave"


class CareStatusFilter(LabelledStrEnum):
    """The patient list's filter: in an active episode now, or out of care (every episode ended)."""

    IN_CARE = "in_care", "In care now"
    DISCHARGED = "discharged", "Discharged"
