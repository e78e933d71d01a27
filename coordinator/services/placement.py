"""ASAM assessments of an episode and the facts intake already knows. Each function flushes;
the caller commits.

Assessments belong to the episode (an `Admission`), never the inquiry: repeatable at admission,
at each review and before each move, newest first on the page. The facts from intake (latest
COWS, MME/day, medical flags, PHQ-9, GAD-7, substances) are copied onto each assessment as
they stood, so the record shows what the clinician saw.
"""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.clock import clinic_zone
from coordinator.contracts.base import problem
from coordinator.contracts.care import AsamAssessmentInput, PlacementDecisionInput
from coordinator.contracts.messages import define
from coordinator.contracts.rule_problems import rule_failure
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import AssessmentOccasion, LevelOfCare
from coordinator.domain.intake import Substance
from coordinator.errors import NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import (
    Admission,
    AsamAssessment,
    Inquiry,
    OpioidRegimenLine,
    PlacementDecision,
    Program,
    User,
    utcnow,
)
from coordinator.roles import Role
from coordinator.rules import medical_flags
from coordinator.rules import placement as placement_rules
from coordinator.rules.errors import RuleError
from coordinator.rules.medical_flags import MedicalFlag
from coordinator.services import audit, care_reminders, care_settings, clinical_lead, episodes, records, screenings

ASSESSMENT_LIMIT = 50

define(
    {
        "decision_assessment_unknown": "Choose one of this episode's assessments.",
        "decision_program_unknown": "Choose an active program.",
        "decision_program_level": "That program is not a {level} program; choose one that is.",
        "decision_other_edition": "That program's ASAM level is in the {program}, but the assessment used the "
        "{assessment}: levels of two editions are never mixed. Assess again in the program's edition, or "
        "choose a program rated in the assessment's.",
        "decision_reason_required": "The choice differs from the recommendation ({recommended}): say why.",
    }
)
# Rating anchors (ASAM: 0 = no risk .. 4 = highest risk, severe), the same in both editions.
RATINGS: dict[int, str] = {0: "0 – none", 1: "1 – mild", 2: "2 – moderate", 3: "3 – significant", 4: "4 – severe"}
# Which facts from intake are shown beside, and pre-filled into, each dimension's notes, by what
# the dimension is about (its number differs by edition: `rules/placement.DIMENSIONS`).
FACTS_FOR_ROLE: dict[str, tuple[str, ...]] = {
    placement_rules.WITHDRAWAL: ("cows", "mme_per_day", "long_acting_opioid", "substances"),
    placement_rules.BIOMEDICAL: ("medical_flags",),
    placement_rules.PSYCHIATRIC: ("phq9", "gad7"),
    placement_rules.RELAPSE: ("substances",),
}
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


def dimension_names() -> dict[str, dict[int, str]]:
    """Edition -> dimension number -> name (`rules/placement.DIMENSIONS`)."""
    return {edition: {n: name for n, (_, name) in dims.items()} for edition, dims in placement_rules.DIMENSIONS.items()}


def facts_by_dimension(facts: dict, edition: str) -> dict[int, list[str]]:
    """The facts in words, under the dimension of `edition` each bears on."""
    dimensions = placement_rules.DIMENSIONS.get(edition, placement_rules.DIMENSIONS[placement_rules.THIRD])
    return {
        n: [text for key in FACTS_FOR_ROLE.get(role, ()) if (text := describe_fact(key, facts))]
        for n, (role, _) in dimensions.items()
    }


def prefilled_notes(facts: dict, edition: str) -> dict[str, str]:
    """The assessment form's notes, pre-filled with what intake knows ("notes_1": "COWS 14 ...")."""
    return {f"notes_{n}": "\n".join(lines) for n, lines in facts_by_dimension(facts, edition).items() if lines}


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
    if data.occasion is AssessmentOccasion.REVIEW:
        care_reminders.episode_changed(admission)  # the next review counts from this one
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


# --- recommendation and decision ----------------------------------------------------------------


def thresholds() -> placement_rules.PlacementThresholds:
    """The clinic's detox thresholds (the settings page; the documented defaults until changed)."""
    return care_settings.thresholds()


def placement_facts(assessment: AsamAssessment) -> placement_rules.PlacementFacts:
    """What the rules recommend from: the assessment's ratings and the intake facts it kept."""
    facts = assessment.facts or {}
    cows = (facts.get("cows") or {}).get("total")
    mme = facts.get("mme_per_day")
    flags = frozenset(facts.get("medical_flags") or ())
    overdose_on = facts.get("last_overdose_on")
    recent = False
    if overdose_on:
        with contextlib.suppress(ValueError, RuleError):
            recent = medical_flags.overdose_is_recent(
                date.fromisoformat(overdose_on),
                today=assessment.assessed_at.astimezone(clinic_zone()).date(),
                window_months=thresholds().recent_overdose_months,
            )
    return placement_rules.PlacementFacts(
        ratings=assessment.ratings(),
        cows_score=int(Decimal(cows)) if cows is not None else None,
        mme_per_day=Decimal(mme) if mme is not None else None,
        long_acting_opioid=bool(facts.get("long_acting_opioid")),
        medical_flags=flags & frozenset(MedicalFlag._value2member_map_),
        co_use=frozenset(facts.get("substances") or ()) & frozenset(Substance._value2member_map_),
        recent_overdose=recent,
    )


def recommendation_for(assessment: AsamAssessment) -> placement_rules.Recommendation:
    """The rules' recommendation for an assessment, in the assessment's edition."""
    return placement_rules.recommend(placement_facts(assessment), assessment.edition.value, thresholds())


def _recommendation_record(rec: placement_rules.Recommendation) -> dict:
    """The recommendation as it was shown, kept with the decision (thresholds included)."""
    return {
        "reasons": list(rec.reasons),
        "detox_reasons": list(rec.detox_reasons),
        "detox_reason_codes": list(rec.detox_reason_codes),
        "not_checked": list(rec.not_checked),
        "thresholds": [
            {"key": s.key, "label": s.label, "value": s.value, "default": s.default} for s in rec.thresholds.settings()
        ],
    }


def follows(rec: placement_rules.Recommendation, level: LevelOfCare, asam_level: str) -> bool:
    """Whether a choice is what was recommended (partner-hospital detox, when detox comes first)."""
    if rec.detox_first and level is LevelOfCare.PARTNER_HOSPITAL_DETOX:
        return True
    return level.value == rec.level_of_care and asam_level == rec.asam_level


def decide(actor: User, admission: Admission, data: PlacementDecisionInput) -> PlacementDecision:
    """Record the level and program chosen after an assessment of this episode, beside the
    recommendation; a choice that differs needs a reason. The caller commits."""
    require_writer(actor)
    assessment = records.find(AsamAssessment, data.assessment_id)
    if assessment is None or assessment.admission_id != admission.id:
        raise ValidationFailed([problem("assessment_id", "decision_assessment_unknown")])
    program = records.find(Program, data.program_id)
    if program is None or not program.is_active:
        raise ValidationFailed([problem("program_id", "decision_program_unknown")])
    if program.level_of_care is not data.level_of_care:
        raise ValidationFailed(
            [problem("program_id", "decision_program_level", level=data.level_of_care.label.lower())]
        )
    if program.asam_edition is not assessment.edition:
        raise ValidationFailed(
            [
                problem(
                    "program_id",
                    "decision_other_edition",
                    program=program.asam_edition.label,
                    assessment=assessment.edition.label,
                )
            ]
        )
    try:
        rec = recommendation_for(assessment)
    except RuleError as err:
        raise rule_failure(err) from None
    if not follows(rec, data.level_of_care, program.asam_level) and not data.reason:
        recommended = LevelOfCare(rec.level_of_care).label
        raise ValidationFailed(
            [problem("reason", "decision_reason_required", recommended=f"{recommended}, ASAM {rec.asam_level}")]
        )
    decision = PlacementDecision(
        admission_id=admission.id,
        assessment_id=assessment.id,
        asam_edition=assessment.edition,
        recommended_level_of_care=LevelOfCare(rec.level_of_care),
        recommended_asam_level=rec.asam_level,
        detox_first=rec.detox_first,
        recommendation=_recommendation_record(rec),
        chosen_level_of_care=data.level_of_care,
        chosen_asam_level=program.asam_level,
        program_id=program.id,
        reason=data.reason,
        decided_by_id=actor.id,
        decided_at=utcnow(),
    )
    db.session.add(decision)
    db.session.flush()
    if data.planned_discharge_on is not None:
        episodes.set_planned_discharge(actor, admission, data.planned_discharge_on)
    audit.record(
        actor,
        AuditAction.PLACEMENT_DECIDED,
        "placement_decision",
        decision.id,
        detail=f"episode {admission.id}; {'as recommended' if follows(rec, data.level_of_care, program.asam_level) else 'differs'}",
    )
    return decision


def decisions_of(admission: Admission) -> list[PlacementDecision]:
    """The episode's placement decisions, newest first (one query)."""
    return list(
        db.session.scalars(
            sa.select(PlacementDecision)
            .options(joinedload(PlacementDecision.decided_by), joinedload(PlacementDecision.program))
            .where(PlacementDecision.admission_id == admission.id)
            .order_by(PlacementDecision.decided_at.desc(), PlacementDecision.id.desc())
            .limit(ASSESSMENT_LIMIT)
        )
    )
