"""Staff roles and clinical disciplines: plain enums shared by models, forms and policies."""

from __future__ import annotations

from coordinator.domain.labelled import LabelledStrEnum


class Role(LabelledStrEnum):
    ADMIN = "admin", "Administrator"
    ADMISSIONS = "admissions", "Admissions"
    CASE_MANAGER = "case_manager", "Case manager"
    CLINICIAN = "clinician", "Clinician"
    BILLING = "billing", "Billing"


class Discipline(LabelledStrEnum):
    """The clinician's discipline; only clinicians have one."""

    PHYSICIAN = "physician", "Physician / addiction medicine"
    PSYCHIATRIST = "psychiatrist", "Psychiatrist"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    THERAPIST = "therapist", "Therapist"
    PHYSICAL_THERAPIST = "physical_therapist", "Physical therapist"
    ADDICTION_COUNSELOR = "addiction_counselor", "Addiction counselor"
    PHARMACIST = "pharmacist", "Pharmacist"
    NURSE = "nurse", "Nurse"
