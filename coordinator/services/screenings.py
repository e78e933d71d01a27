"""Screening a prospective patient: score and store instruments, and keep the current opioid regimen.

Services take the contracts of `coordinator/contracts/screening.py`, which have checked the shape
of the answers. Every kind is scored by its pure rule in `coordinator/rules/`; rule errors become
ValidationFailed, and what was answered is stored together with what the rule computed from it
(so a stored result never changes when the code does). Each record adds a timeline entry and an
audit row whose detail carries no clinical values. Callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.clock import clinic_today
from coordinator.contracts.base import problem
from coordinator.contracts.rule_problems import rule_failure
from coordinator.contracts.screening import (
    CowsInput,
    Dsm5OudDraft,
    Gad7Input,
    MedicalFlagsInput,
    Phq9Input,
    QuestionnaireInput,
    RegimenInput,
    ScreeningInput,
)
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import ActivityKind
from coordinator.errors import NotFound, NotPermitted, Problem, ValidationFailed
from coordinator.extensions import db
from coordinator.models import Inquiry, InquiryActivity, OpioidRegimenLine, Screening, User, utcnow
from coordinator.roles import Role
from coordinator.rules import cows, dsm5_oud, gad7, medical_flags, mme, phq9
from coordinator.rules.errors import RuleError
from coordinator.services import audit, inquiry_access, intake, reminders

KINDS: tuple[tuple[str, str], ...] = (
    ("dsm5_oud", "DSM-5 opioid use disorder"),
    ("phq9", "PHQ-9 depression"),
    ("gad7", "GAD-7 anxiety"),
    ("cows", "COWS opiate withdrawal"),
    ("medical_flags", "Medical flags for placement"),
)
KIND_LABELS: dict[str, str] = dict(KINDS)
SHORT_LABELS = {
    "dsm5_oud": "DSM-5 OUD",
    "phq9": "PHQ-9",
    "gad7": "GAD-7",
    "cows": "COWS",
    "medical_flags": "Medical flags",
}

# COWS is a clinician-administered scale; the rest are intake screens admissions staff give too.
RECORDER_ROLES = frozenset({Role.ADMIN, Role.ADMISSIONS, Role.CASE_MANAGER, Role.CLINICIAN})
RECORDERS: dict[str, frozenset[Role]] = {kind: RECORDER_ROLES for kind, _ in KINDS}
RECORDERS["cows"] = frozenset({Role.CLINICIAN})
REGIMEN_EDITORS = inquiry_access.EDITORS

SCORED_ITEMS: dict[str, tuple[str, ...]] = {c.kind: c.items for c in (Phq9Input, Gad7Input, CowsInput)}
_SCORERS = {"phq9": phq9.score_phq9, "gad7": gad7.score_gad7, "cows": cows.score_cows}
SUPERVISION_FIELD = "taken_as_prescribed_under_supervision"
SAFETY_FLAG_CODES = frozenset({"self_harm_thoughts"})  # PHQ-9 item 9: same-day clinical review

FUTURE_SKEW = timedelta(minutes=5)
HISTORY_LIMIT = 200


@dataclass(frozen=True)
class Assessment:
    """A scored screening, before it is stored: the same attributes a stored Screening has."""

    kind: str
    answers: dict
    total: Decimal | None
    band: str | None
    flags: list[dict] = field(default_factory=list)
    summary: str = ""


def can_record(user: User, kind: str) -> bool:
    """Whether `user`'s role may record screenings of this kind."""
    return kind in RECORDERS and user.role in RECORDERS[kind]


def can_edit_regimen(user: User) -> bool:
    """Whether `user`'s role may change an inquiry's opioid regimen."""
    return user.role in REGIMEN_EDITORS


def _not_a_recorder(kind: str) -> NotPermitted:
    why = ": it is clinician-administered." if kind == "cows" else "."
    return NotPermitted(f"Your role cannot record a {SHORT_LABELS[kind]}{why}")


def require_recorder(actor: User, kind: str, inquiry_id: int) -> None:
    """Refuse, with an audited refusal, an actor whose role may not record this kind."""
    if not can_record(actor, kind):
        audit.record_refusal(
            actor,
            AuditAction.ACCESS_DENIED,
            "inquiry",
            inquiry_id,
            detail=f"recording {kind} refused for role {actor.role}",
        )
        raise _not_a_recorder(kind)


# --- scoring ----------------------------------------------------------------------------------


def assess(data: ScreeningInput, *, mme_per_day: Decimal | None = None) -> Assessment:
    """Score one screening through its pure rule (nothing is stored); ValidationFailed names the
    answers the rule refuses. `mme_per_day` is the inquiry's current total, for the medical flags."""
    try:
        if isinstance(data, QuestionnaireInput):
            return _assess_questionnaire(data)
        if isinstance(data, Dsm5OudDraft):
            return _assess_dsm5(data)
        if isinstance(data, MedicalFlagsInput):
            return _assess_medical(data, mme_per_day)
    except RuleError as err:
        raise rule_failure(err) from None
    raise NotFound("No such screening.")


def _assess_questionnaire(data: QuestionnaireInput) -> Assessment:
    kind = data.kind
    result = _SCORERS[kind](data.answers())
    flags = [{"code": f.code, "item": f.item, "message": f.message} for f in getattr(result, "safety_flags", ())]
    summary = f"{SHORT_LABELS[kind]}: {result.total}, {_words(result.band)}"
    if flags:
        summary += " - same-day clinical review (item 9)"
    return Assessment(kind, dict(result.scores), Decimal(result.total), result.band.value, flags, summary)


def _assess_dsm5(data: Dsm5OudDraft) -> Assessment:
    criteria = [c.value for c in data.criteria]
    result = dsm5_oud.assess_oud(criteria, taken_as_prescribed_under_supervision=data.supervised)
    reported = dsm5_oud.reported_behaviours([b.value for b in data.behaviours])
    excluded = {e.criterion for e in result.criteria_excluded}
    answers = {
        "criteria": [c.value for c in dsm5_oud.OudCriterion if c in excluded or c in result.criteria_counted],
        SUPERVISION_FIELD: data.supervised,
        "behaviours": [b.value for b in reported],
    }
    flags = [
        {"code": "excluded_criterion", "item": e.criterion.value, "message": e.reason} for e in result.criteria_excluded
    ]
    if result.icd10_family:
        flags.append({"code": "icd10_family", "item": result.icd10_family, "message": result.icd10_note})
    summary = f"DSM-5 OUD: {result.count} criteria, {_words(result.severity)}"
    return Assessment("dsm5_oud", answers, Decimal(result.count), result.severity.value, flags, summary)


def _assess_medical(data: MedicalFlagsInput, mme_per_day: Decimal | None) -> Assessment:
    chosen = [f.value for f in data.flags]
    reasons = medical_flags.detox_reasons(
        chosen, total_mme=mme_per_day, last_overdose_on=data.last_overdose_on, today=clinic_today()
    )
    answers = {
        "flags": chosen,
        "last_overdose_on": data.last_overdose_on.isoformat() if data.last_overdose_on else None,
        "mme_per_day": None if mme_per_day is None else f"{mme_per_day.normalize():f}",
    }
    flags = [{"code": r.code, "item": r.action.value, "message": r.message} for r in reasons]
    count = len(reasons)
    summary = (
        f"Medical flags: {count} reason{'s' if count != 1 else ''} to plan detox or coordination"
        if count
        else "Medical flags: none"
    )
    return Assessment("medical_flags", answers, None, None, flags, summary)


def _words(band) -> str:
    return str(band.value if hasattr(band, "value") else band).replace("_", " ")


# --- recording and reading --------------------------------------------------------------------


def record(actor: User, inquiry: Inquiry, data: ScreeningInput) -> Screening:
    """Score and store one screening with a timeline entry and an audit row; the caller commits.

    Raises ValidationFailed (before anything is added to the session) for answers the rule
    refuses or a time given in the future or before the inquiry arrived; NotPermitted if the
    actor's role may not record this kind or the inquiry was merged away.
    """
    kind = data.kind
    if not can_record(actor, kind):
        raise _not_a_recorder(kind)
    if inquiry.merged_into_id is not None:
        raise NotPermitted("This inquiry was merged into another; screen on that one instead.")
    when = data.administered_at or utcnow()
    problems = _check_administered_at(when, inquiry)
    try:
        assessment = assess(data, mme_per_day=inquiry.mme_per_day)
    except ValidationFailed as failure:
        raise ValidationFailed(failure.problems + problems) from None
    if problems:
        raise ValidationFailed(problems)
    screening = Screening(
        inquiry_id=inquiry.id,
        kind=kind,
        answers=assessment.answers,
        total=assessment.total,
        band=assessment.band,
        flags=assessment.flags,
        administered_at=when,
        recorded_by_id=actor.id,
    )
    db.session.add(screening)
    db.session.flush()
    if any(flag.get("code") in SAFETY_FLAG_CODES for flag in assessment.flags):
        reminders.safety_flag_raised(screening)
    db.session.add(
        InquiryActivity(
            inquiry_id=inquiry.id,
            kind=ActivityKind.SCREENING,
            actor_id=actor.id,
            occurred_at=when,
            summary=assessment.summary[:200],
        )
    )
    audit.record(
        actor, AuditAction.SCREENING_RECORDED, "screening", screening.id, detail=f"kind {kind}, inquiry {inquiry.id}"
    )
    return screening


def _check_administered_at(when: datetime, inquiry: Inquiry) -> list[Problem]:
    if when > utcnow() + FUTURE_SKEW:
        return [problem("administered_at", "screening_in_future")]
    if when < inquiry.arrived_at - timedelta(days=1):
        return [problem("administered_at", "screening_before_arrival")]
    return []


def latest_for(inquiry_id: int) -> dict[str, Screening]:
    """The newest screening of each kind for an inquiry, keyed by kind (one query, however many)."""
    newest = (
        sa.select(
            Screening.id,
            sa.func.row_number()
            .over(partition_by=Screening.kind, order_by=(Screening.administered_at.desc(), Screening.id.desc()))
            .label("rank"),
        )
        .where(Screening.inquiry_id == inquiry_id)
        .subquery()
    )
    rows = db.session.scalars(
        sa.select(Screening)
        .options(joinedload(Screening.recorded_by))
        .join(newest, newest.c.id == Screening.id)
        .where(newest.c.rank == 1)
    )
    return {s.kind: s for s in rows}


def history(inquiry_id: int, kind: str) -> list[Screening]:
    """Screenings of one kind for an inquiry, newest first (at most HISTORY_LIMIT)."""
    return list(
        db.session.scalars(
            sa.select(Screening)
            .options(joinedload(Screening.recorded_by))
            .where(Screening.inquiry_id == inquiry_id, Screening.kind == kind)
            .order_by(Screening.administered_at.desc(), Screening.id.desc())
            .limit(HISTORY_LIMIT)
        )
    )


def get(inquiry_id: int, screening_id: int) -> Screening:
    """One screening of this inquiry, or NotFound."""
    screening = db.session.scalar(
        sa.select(Screening)
        .options(joinedload(Screening.recorded_by))
        .where(Screening.id == screening_id, Screening.inquiry_id == inquiry_id)
    )
    if screening is None:
        raise NotFound("No such screening for this inquiry.")
    return screening


# --- the current opioid regimen ---------------------------------------------------------------


def regimen_of(inquiry_id: int) -> list[OpioidRegimenLine]:
    """The inquiry's current opioid regimen, in the order it was entered."""
    return list(
        db.session.scalars(
            sa.select(OpioidRegimenLine)
            .where(OpioidRegimenLine.inquiry_id == inquiry_id)
            .order_by(OpioidRegimenLine.position)
        )
    )


def set_regimen(actor: User, inquiry: Inquiry, data: RegimenInput) -> mme.MmeResult | None:
    """Replace the inquiry's current opioid regimen and its MME/day; the caller commits.

    An empty regimen clears the MME/day (and returns None). NotPermitted for roles that cannot
    change inquiries and for an inquiry merged into another.
    """
    if not can_edit_regimen(actor):
        raise NotPermitted("Your role can read inquiries but not change them.")
    if inquiry.merged_into_id is not None:
        raise NotPermitted("This inquiry was merged into another; work on that one instead.")
    result = data.regimen.result
    intake.replace_regimen(inquiry, list(data.regimen.lines), result)
    summary = (
        f"Opioid regimen updated: {result.total_mme_per_day.normalize():f} MME/day"
        if result
        else "Opioid regimen cleared"
    )
    db.session.add(
        InquiryActivity(
            inquiry_id=inquiry.id, kind=ActivityKind.SCREENING, actor_id=actor.id, occurred_at=utcnow(), summary=summary
        )
    )
    audit.record(actor, AuditAction.REGIMEN_UPDATED, "inquiry", inquiry.id, detail="opioid regimen replaced")
    return result
