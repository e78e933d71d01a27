"""Staff roles and clinical disciplines: plain enums shared by models, forms and policies."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ADMISSIONS = "admissions"
    CASE_MANAGER = "case_manager"
    CLINICIAN = "clinician"
    BILLING = "billing"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.ADMIN: "Administrator",
    Role.ADMISSIONS: "Admissions",
    Role.CASE_MANAGER: "Case manager",
    Role.CLINICIAN: "Clinician",
    Role.BILLING: "Billing",
}


class Discipline(StrEnum):
    """The clinician's discipline; only clinicians have one."""

    PHYSICIAN = "physician"
    PSYCHIATRIST = "psychiatrist"
    PSYCHOLOGIST = "psychologist"
    THERAPIST = "therapist"
    PHYSICAL_THERAPIST = "physical_therapist"
    ADDICTION_COUNSELOR = "addiction_counselor"
    PHARMACIST = "pharmacist"
    NURSE = "nurse"

    @property
    def label(self) -> str:
        return DISCIPLINE_LABELS[self]


DISCIPLINE_LABELS = {
    Discipline.PHYSICIAN: "Physician / addiction medicine",
    Discipline.PSYCHIATRIST: "Psychiatrist",
    Discipline.PSYCHOLOGIST: "Psychologist",
    Discipline.THERAPIST: "Therapist",
    Discipline.PHYSICAL_THERAPIST: "Physical therapist",
    Discipline.ADDICTION_COUNSELOR: "Addiction counselor",
    Discipline.PHARMACIST: "Pharmacist",
    Discipline.NURSE: "Nurse",
}
