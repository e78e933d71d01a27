"""What the JSON API tells the clinic's own systems about an episode of care: the current level
of a patient's latest episode, found by medical record number.

Only keys an administrator allowed to read episodes (`ApiClient.reads_episodes`) may ask; a
website's or a referral partner's key is refused. A restricted patient is the same "not found"
as an unknown record number (the API never breaks the glass), and the refusal is audited; every
read is audited with the client as the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from coordinator.clock import clinic_today
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AdmissionStatus
from coordinator.errors import NotFound, NotPermitted
from coordinator.extensions import db
from coordinator.models import ApiClient, CareSegment, Patient
from coordinator.rules import care_reminders as care_rules
from coordinator.rules import mrn
from coordinator.services import api_clients, audit, care_reminders, care_settings, patient_access, patients

MRN_LIMIT = 20


@dataclass(frozen=True)
class EpisodeLevel:
    mrn: str
    episode_id: int
    status: AdmissionStatus
    admitted_on: date
    level: CareSegment | None  # the current (or, once discharged, the last) segment
    level_since: date | None
    days_in_level: int
    next_review_on: date | None
    planned_discharge_on: date | None
    discharged_on: date | None
    aftercare_ends_on: date | None


def read_current_episode(client: ApiClient, record_number: str) -> EpisodeLevel:
    """The patient's latest episode and where it stands today. NotPermitted for a key without
    episode access; NotFound for a malformed or unknown number, a restricted patient, or a
    patient with no episode. The caller commits (the audit row)."""
    actor = api_clients.actor_for(client)
    if not client.reads_episodes:
        audit.record_refusal(
            actor, AuditAction.EPISODE_REFUSED_TO_API, "api_client", client.id, detail="key may not read episodes"
        )
        raise NotPermitted("This key may not read episodes of care.")
    patient = None
    if len(record_number) <= MRN_LIMIT and record_number.isascii() and mrn.is_valid(record_number):
        patient = db.session.scalar(sa.select(Patient).where(Patient.mrn == record_number.strip().upper()))
    if patient is None:
        raise NotFound("No patient with this record number.")
    if patient_access.guard_of(patient).restricted:
        audit.record_refusal(actor, AuditAction.EPISODE_REFUSED_TO_API, "patient", patient.id)
        raise NotFound("No patient with this record number.")
    latest = patients.episodes_of(patient)[:1]  # newest first
    if not latest:
        raise NotFound("No patient with this record number.")
    episode, today = latest[0], clinic_today()
    admission = episode.admission
    dates = care_reminders.dates_for([admission])[admission.id]
    last = episode.segments[-1] if episode.segments else None
    audit.record(actor, AuditAction.EPISODE_READ_BY_API, "admission", admission.id)
    return EpisodeLevel(
        mrn=patient.mrn,
        episode_id=admission.id,
        status=admission.status,
        admitted_on=admission.admit_date,
        level=last,
        level_since=care_rules.level_started_on(dates.segments),
        days_in_level=episode.days_in_current(today),
        next_review_on=care_rules.next_review_on(dates, care_settings.review_days()),
        planned_discharge_on=admission.planned_discharge_on,
        discharged_on=admission.discharged_on,
        aftercare_ends_on=patients.aftercare_ends_on(admission),
    )
