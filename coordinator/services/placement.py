"""ASAM assessments of an episode and the facts intake already knows. Each function flushes;
the caller commits.

Assessments belong to the episode (an `Admission`), never the inquiry: repeatable at admission,
at each review and before each move, newest first on the page. The facts from intake (latest
COWS, MME/day, medical flags, PHQ-9, GAD-7, substances) are copied onto each assessment as
they stood, so the record shows what the clinician saw.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.clock import clinic_zone
from coordinator.contracts.care import AsamAssessmentInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import Substance
from coordinator.errors import NotPermitted
from coordinator.extensions import db
from coordinator.models import Admission, AsamAssessment, Inquiry, OpioidRegimenLine, User
from coordinator.roles import Role
from coordinator.rules import asam_dimensions
from coordinator.rules.medical_flags import MedicalFlag
from coordinator.services import audit, clinical_lead, screenings

ASSESSMENT_LIMIT = 50
# Opioids that act for a long time whatever the product (the regimen does not record ER forms).
LONG_ACTING_DRUGS = frozenset({"methadone", "fentanyl_transdermal"})


def can_write(user: User) -> bool:
    """Clinicians and the clinical lead (a person or a role an administrator chose) assess and decide."""
    if user.role == Role.CLINICIAN:
        return True
    lead = clinical_lead.current()
    return lead.user.id == user.id if lead.user is not None else user.role == lead.role


def require_writer(user: User) -> None:
    if not can_write(user):
        raise NotPermitted("Only clinicians and the clinical lead record assessments and placement decisions.")


def episode_of(inquiry: Inquiry) -> Admission | None:
    """The episode this inquiry was admitted into, with its program and patient."""
    return db.session.scalar(
        sa.select(Admission)
        .options(joinedload(Admission.program), joinedload(Admission.patient))
        .where(Admission.inquiry_id == inquiry.id)
    )


def _score(screening) -> dict | None:
    if screening is None:
        return None
    when = screening.administered_at.astimezone(clinic_zone()).date().isoformat()
    total = None if screening.total is None else f"{screening.total.normalize():f}"
    return {"total": total, "band": screening.band, "on": when}


def intake_facts(inquiry: Inquiry) -> dict:
    """What intake knows that bears on the six dimensions, as plain JSON values (two queries)."""
    latest = screenings.latest_for(inquiry.id)
    drugs = set(db.session.scalars(sa.select(OpioidRegimenLine.drug).where(OpioidRegimenLine.inquiry_id == inquiry.id)))
    medical = latest.get("medical_flags")
    mme: Decimal | None = inquiry.mme_per_day
    return {
        "cows": _score(latest.get("cows")),
        "mme_per_day": None if mme is None else f"{mme.normalize():f}",
        "long_acting_opioid": bool(drugs & LONG_ACTING_DRUGS),
        "medical_flags": list(medical.answers.get("flags") or []) if medical else [],
        "last_overdose_on": medical.answers.get("last_overdose_on") if medical else None,
        "phq9": _score(latest.get("phq9")),
        "gad7": _score(latest.get("gad7")),
        "substances": list(inquiry.substances or []),
    }


def _label(enum, value: str) -> str:
    return enum(value).label if value in enum._value2member_map_ else value


def describe_fact(key: str, facts: dict) -> str | None:
    """One fact in words ("COWS 14 (moderate) on 2026-12-01"), or None when intake has none."""
    value = facts.get(key)
    if key in ("cows", "phq9", "gad7"):
        if not value:
            return None
        label = {"cows": "COWS", "phq9": "PHQ-9", "gad7": "GAD-7"}[key]
        band = str(value.get("band") or "").replace("_", " ")
        return f"{label} {value.get('total')} ({band}) on {value.get('on')}"
    if key == "mme_per_day":
        return None if value is None else f"{value} MME/day"
    if key == "long_acting_opioid":
        return "On a long-acting opioid (methadone or a fentanyl patch)" if value else None
    if key == "medical_flags":
        if not value:
            return None
        words = "; ".join(_label(MedicalFlag, flag) for flag in value)
        overdose = facts.get("last_overdose_on")
        return f"Medical flags: {words}" + (f" (last overdose {overdose})" if overdose else "")
    if key == "substances":
        return ("Substances: " + ", ".join(_label(Substance, s) for s in value)) if value else None
    return None


def facts_by_dimension(facts: dict) -> dict[int, list[str]]:
    """The facts in words, under the dimension each bears on."""
    shown = {}
    for dimension, keys in asam_dimensions.FACTS_FOR.items():
        shown[dimension] = [text for key in keys if (text := describe_fact(key, facts))]
    return shown


def prefilled_notes(facts: dict) -> dict[str, str]:
    """The assessment form's notes, pre-filled with what intake knows ("notes_1": "COWS 14 ...")."""
    return {f"notes_{n}": "\n".join(lines) for n, lines in facts_by_dimension(facts).items() if lines}


def record_assessment(actor: User, admission: Admission, inquiry: Inquiry, data: AsamAssessmentInput) -> AsamAssessment:
    """Record one assessment of the episode with intake's facts as they stand; the caller commits."""
    require_writer(actor)
    assessment = AsamAssessment(
        admission_id=admission.id,
        edition=data.edition,
        occasion=data.occasion,
        facts=intake_facts(inquiry),
        assessed_by_id=actor.id,
        **{f"rating_{n}": r for n, r in data.ratings().items()},
        **{f"notes_{n}": getattr(data, f"notes_{n}") for n in range(1, 7)},
    )
    db.session.add(assessment)
    db.session.flush()
    audit.record(
        actor, AuditAction.ASAM_ASSESSMENT_RECORDED, "asam_assessment", assessment.id, detail=f"episode {admission.id}"
    )
    return assessment


def assessments_of(admission: Admission) -> list[AsamAssessment]:
    """The episode's assessments, newest first (one query; at most ASSESSMENT_LIMIT)."""
    return list(
        db.session.scalars(
            sa.select(AsamAssessment)
            .options(joinedload(AsamAssessment.assessed_by))
            .where(AsamAssessment.admission_id == admission.id)
            .order_by(AsamAssessment.assessed_at.desc(), AsamAssessment.id.desc())
            .limit(ASSESSMENT_LIMIT)
        )
    )
