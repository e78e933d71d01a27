"""Input contracts for capacity and census: the board's day, beds, bed assignments and the
waitlist (issue 14, item 6). Shapes only; `services/census.py` checks what needs the database."""

from __future__ import annotations

from coordinator.contracts import values
from coordinator.contracts.base import Contract
from coordinator.contracts.messages import define
from coordinator.models.census import WaitlistOutcome

BED_NAME_LIMIT = 60
NOTE_LIMIT = 500

define(
    {
        "bed_name_required": "Name the bed (for example \u201cNorth 3A\u201d).",
        "bed_required": "Choose the bed.",
        "bed_episode_required": "Choose the patient to put in the bed.",
        "waitlist_person_required": "Choose the patient or the inquiry waiting for a place.",
        "waitlist_outcome_required": "Choose the outcome.",
    }
)


class CensusDay(Contract):
    """The day the census board shows (today when not given)."""

    on: values.day(what="census date")


class BedInput(Contract):
    name: values.text(BED_NAME_LIMIT, required="bed_name_required", what="bed name")


class BedAssignmentInput(Contract):
    bed_id: values.record_id(what="bed", required="bed_required")
    episode_id: values.record_id(what="patient", required="bed_episode_required")
    on: values.day(what="date the bed is taken")


class WaitlistInput(Contract):
    """A patient (by medical record) or an inquiry (by number) waiting for a place."""

    mrn: values.text(20, what="medical record number")
    inquiry_id: values.record_id(what="inquiry")
    note: values.text(NOTE_LIMIT, multiline=True)


class WaitlistOfferInput(Contract):
    bed_id: values.record_id(what="bed")


class WaitlistOutcomeInput(Contract):
    outcome: values.choice(WaitlistOutcome, required="waitlist_outcome_required", what="outcome")
