"""Patients, episodes and placement (issue 14): who may call which endpoint."""

from __future__ import annotations

from coordinator.roles import Role
from tests.access_matrix import INQUIRY_EDITORS, INQUIRY_READERS, Access, staff

# Assessments and decisions: clinicians and the clinical lead (by default, the clinician role).
CLINICAL_WRITERS = staff(Role.CLINICIAN)
# Level-of-care moves and discharge: case managers, clinicians and the clinical lead.
MOVERS = staff(Role.CASE_MANAGER, Role.CLINICIAN)
# The patient list: the care roles (the clinical lead by default is a clinician).
LISTERS = staff(Role.ADMIN, Role.CASE_MANAGER, Role.CLINICIAN)

CARE_MATRIX = {
    ("care.patient", "GET"): Access(INQUIRY_READERS, "/care/patients/{patient}", expect=200),
    ("care.placement_page", "GET"): Access(INQUIRY_READERS, "/care/placement/inquiry/{admitted_inquiry}", expect=200),
    ("care.assess", "GET"): Access(CLINICAL_WRITERS, "/care/placement/inquiry/{admitted_inquiry}/assess", expect=200),
    ("care.assess", "POST"): Access(
        CLINICAL_WRITERS,
        "/care/placement/inquiry/{admitted_inquiry}/assess",
        expect=400,
        data={"edition": "third_2013", "rating_1": "5"},
    ),
    ("care.decide", "POST"): Access(
        CLINICAL_WRITERS, "/care/placement/inquiry/{admitted_inquiry}/decide", expect=400, data={"level_of_care": "x"}
    ),
    ("care.move", "POST"): Access(MOVERS, "/care/episodes/{episode}/move", expect=400, data={"kind": "teleport"}),
    ("care.patients_list", "GET"): Access(LISTERS, "/care/patients", expect=200),
    # Who may change an inquiry's restriction may change a patient's (a reason is required).
    ("care.restriction", "POST"): Access(
        INQUIRY_EDITORS,
        "/care/patients/{patient}/restriction",
        expect=400,
        data={"restriction-restricted": "y", "restriction-reason": ""},
    ),
    ("care.hospital_details", "POST"): Access(
        MOVERS, "/care/segments/{segment}/hospital", expect=400, data={"hospital_name": ""}
    ),
    ("care.plan_discharge", "POST"): Access(
        MOVERS, "/care/episodes/{episode}/planned-discharge", expect=400, data={"planned_discharge_on": "9999-01-01"}
    ),
}
