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
