"""Screening a prospective patient: score and store instruments, and keep the current opioid regimen.

Every kind is scored by its pure rule in `coordinator/rules/`; this module whitelists the posted
fields, turns rule errors into ValidationFailed, and stores what was answered together with what
the rule computed from it (so a stored result never changes when the code does). Each record
adds a timeline entry and an audit row whose detail carries no clinical values. Callers commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import ActivityKind
from coordinator.errors import NotFound, NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import Inquiry, InquiryActivity, OpioidRegimenLine, Screening, User, utcnow
from coordinator.roles import Role
from coordinator.rules import cows, dsm5_oud, gad7, medical_flags, mme, phq9
from coordinator.rules.errors import RuleError
from coordinator.services import audit, inquiries, intake, reminders

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
REGIMEN_EDITORS = inquiries.EDITORS

SCORED_ITEMS: dict[str, tuple[str, ...]] = {
    "phq9": tuple(key for key, _ in phq9.ITEMS),
    "gad7": tuple(key for key, _ in gad7.ITEMS),
    "cows": tuple(item.key for item in cows.ITEMS),
}
_SCORERS = {"phq9": phq9.score_phq9, "gad7": gad7.score_gad7, "cows": cows.score_cows}
SUPERVISION_FIELD = "taken_as_prescribed_under_supervision"
SAFETY_FLAG_CODES = frozenset({"self_harm_thoughts"})  # PHQ-9 item 9: same-day clinical review

# Longest single answer worth reading (a key or a number); anything longer is cut before a rule
# sees it, so a message never echoes a megabyte back. No valid answer comes near these.
MAX_ANSWER_LENGTH = 40
MAX_CHOICES = 30
MAX_REGIMEN_FIELD_LENGTH = 40
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


# --- reading the posted form ----------------------------------------------------------------


def _value(form: Mapping, key: str) -> object:
    value = form.get(key)
    if isinstance(value, str) and len(value) > MAX_ANSWER_LENGTH:
        return value[:MAX_ANSWER_LENGTH] + "..."
    return value


def _values(form: Mapping, key: str) -> list:
    """Every value posted under `key` (checkboxes), from a MultiDict or a plain mapping."""
    values = form.getlist(key) if hasattr(form, "getlist") else form.get(key)
    if values is None or values == "":
        return []
    if not isinstance(values, (list, tuple)):
        values = [values]
    if len(values) > MAX_CHOICES:
        raise ValidationFailed.single(key, "Too many options were sent; choose from the list.")
    return [v[:MAX_ANSWER_LENGTH] + "..." if isinstance(v, str) and len(v) > MAX_ANSWER_LENGTH else v for v in values]


def _yes_no(value: object) -> bool | None:
    return {"yes": True, "no": False}.get(value.strip().lower()) if isinstance(value, str) else None


def _date(value: object, field_name: str) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        day = date.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        day = None
    if day is None or day.year < 1900:
        raise ValidationFailed.single(field_name, "Enter the date as a real calendar date (YYYY-MM-DD).")
    return day


def _mme_value(value: object) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, str) and value.strip() and len(value) <= 12:
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        if number is not None and number.is_finite() and number >= 0:
            return number
    if isinstance(value, str) and not value.strip():
        return None
    raise ValidationFailed.single("mme_per_day", "The MME/day must be a number of zero or more.")


def _rule_failure(err: RuleError) -> ValidationFailed:
    return ValidationFailed(list(err.errors))


# --- scoring ----------------------------------------------------------------------------------


def assess(kind: str, form: Mapping, *, today: date, mme_per_day: Decimal | str | None = None) -> Assessment:
    """Score one screening from posted fields through its pure rule; ValidationFailed on bad input.

    Only the fields the instrument asks are read. `mme_per_day` is the inquiry's current total,
    used by the medical flags. Nothing is stored.
    """
    if kind in _SCORERS:
        return _assess_scored(kind, form)
    if kind == "dsm5_oud":
        return _assess_dsm5(form)
    if kind == "medical_flags":
        return _assess_medical(form, today=today, mme_per_day=_mme_value(mme_per_day))
    raise NotFound("No such screening.")


def problems(kind: str, form: Mapping, *, today: date, mme_per_day: Decimal | str | None = None) -> list:
    """The (field, message) pairs `assess` would raise for this form; empty when it is valid."""
    try:
        assess(kind, form, today=today, mme_per_day=mme_per_day)
    except ValidationFailed as failure:
        return failure.reasons
    return []


def _assess_scored(kind: str, form: Mapping) -> Assessment:
    answers = {key: _value(form, key) for key in SCORED_ITEMS[kind]}
    try:
        result = _SCORERS[kind](answers)
    except RuleError as err:
        raise _rule_failure(err) from None
    flags = [{"code": f.code, "item": f.item, "message": f.message} for f in getattr(result, "safety_flags", ())]
    summary = f"{SHORT_LABELS[kind]}: {result.total}, {_words(result.band)}"
    if flags:
        summary += " - same-day clinical review (item 9)"
    return Assessment(kind, dict(result.scores), Decimal(result.total), result.band.value, flags, summary)


def _assess_dsm5(form: Mapping) -> Assessment:
    criteria, behaviours = _values(form, "criteria"), _values(form, "behaviours")
    supervised = _yes_no(form.get(SUPERVISION_FIELD))
    problems: list = []
    try:
        result = dsm5_oud.assess_oud(criteria, taken_as_prescribed_under_supervision=supervised)
    except RuleError as err:
        problems += err.errors
        if supervised is None:  # the rule stops at that question: check the criteria as well
            try:
                dsm5_oud.assess_oud(criteria, taken_as_prescribed_under_supervision=False)
            except RuleError as more:
                problems += more.errors
    try:
        reported = dsm5_oud.reported_behaviours(behaviours)
    except RuleError as err:
        problems += err.errors
    if problems:
        raise ValidationFailed(problems)
    excluded = {e.criterion for e in result.criteria_excluded}
    answers = {
        "criteria": [c.value for c in dsm5_oud.OudCriterion if c in excluded or c in result.criteria_counted],
        SUPERVISION_FIELD: supervised,
        "behaviours": [b.value for b in reported],
    }
    flags = [
        {"code": "excluded_criterion", "item": e.criterion.value, "message": e.reason} for e in result.criteria_excluded
    ]
    if result.icd10_family:
        flags.append({"code": "icd10_family", "item": result.icd10_family, "message": result.icd10_note})
    summary = f"DSM-5 OUD: {result.count} criteria, {_words(result.severity)}"
    return Assessment("dsm5_oud", answers, Decimal(result.count), result.severity.value, flags, summary)


def _assess_medical(form: Mapping, *, today: date, mme_per_day: Decimal | None) -> Assessment:
    chosen = _values(form, "flags")
    last_overdose = _date(form.get("last_overdose_on"), "last_overdose_on")
    try:
        reasons = medical_flags.detox_reasons(
            chosen, total_mme=mme_per_day, last_overdose_on=last_overdose, today=today
        )
    except RuleError as err:
        raise _rule_failure(err) from None
    answers = {
        "flags": [f.value for f in medical_flags.MedicalFlag if f.value in set(chosen)],
        "last_overdose_on": last_overdose.isoformat() if last_overdose else None,
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


def record(
    actor: User, inquiry: Inquiry, kind: str, form_data: Mapping, *, administered_at: datetime | None, today: date
) -> Screening:
    """Score and store one screening with a timeline entry and an audit row; the caller commits.

    Raises ValidationFailed (before anything is added to the session) on bad input, NotPermitted
    if the actor's role may not record this kind or the inquiry was merged away.
    """
    if kind not in KIND_LABELS:
        raise NotFound("No such screening.")
    if not can_record(actor, kind):
        raise NotPermitted(
            f"Your role cannot record a {SHORT_LABELS[kind]}"
            + (": it is clinician-administered." if kind == "cows" else ".")
        )
    if inquiry.merged_into_id is not None:
        raise NotPermitted("This inquiry was merged into another; screen on that one instead.")
    when = administered_at or utcnow()
    problems = _check_administered_at(when, inquiry)
    try:
        assessment = assess(kind, form_data, today=today, mme_per_day=inquiry.mme_per_day)
    except ValidationFailed as failure:
        raise ValidationFailed(failure.reasons + problems) from None
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


def _check_administered_at(when: datetime, inquiry: Inquiry) -> list[tuple[str, str]]:
    if when.tzinfo is None:
        return [("administered_at", "Enter the date and time the screening was given.")]
    if when > utcnow() + FUTURE_SKEW:
        return [("administered_at", "The time given cannot be in the future.")]
    if when < inquiry.arrived_at - timedelta(days=1):
        return [("administered_at", "The time given is before the inquiry arrived.")]
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


def parse_regimen(form: Mapping) -> tuple[list[dict], list[int]]:
    """Regimen lines from `regimen-N-field` form keys (blank rows dropped) and their row numbers.

    Unrelated fields are ignored. Raises ValidationFailed for oversized values or too many rows.
    """
    problems = [
        (key, f"Use at most {MAX_REGIMEN_FIELD_LENGTH} characters.")
        for key in form
        if isinstance(key, str)
        and key.startswith("regimen-")
        and isinstance(form.get(key), str)
        and len(form.get(key)) > MAX_REGIMEN_FIELD_LENGTH
    ]
    if problems:
        raise ValidationFailed(problems[:20])
    lines, numbers = intake.regimen_rows_from_form(form)
    if len(lines) > intake.MAX_REGIMEN_LINES:
        raise ValidationFailed.single("regimen", f"List at most {intake.MAX_REGIMEN_LINES} medicines.")
    return lines, numbers


def calculate_regimen(lines: list[dict], numbers: list[int]) -> mme.MmeResult:
    """MME/day of parsed regimen lines; rule errors name the form rows (`regimen-N-field`)."""
    try:
        return mme.calculate_mme(lines, field_prefix="regimen")
    except RuleError as err:
        raise intake.renumber_regimen_errors(_rule_failure(err), numbers) from None


def set_regimen(actor: User, inquiry: Inquiry, form_data: Mapping) -> mme.MmeResult | None:
    """Replace the inquiry's current opioid regimen and its MME/day; the caller commits.

    An empty regimen clears the MME/day. Raises ValidationFailed (before changing anything) or
    NotPermitted for roles that cannot change inquiries.
    """
    if actor.role not in REGIMEN_EDITORS:
        raise NotPermitted("Your role can read inquiries but not change them.")
    if inquiry.merged_into_id is not None:
        raise NotPermitted("This inquiry was merged into another; work on that one instead.")
    lines, numbers = parse_regimen(form_data)
    result = calculate_regimen(lines, numbers) if lines else None
    regimen = [mme.RegimenLine(**line) for line in lines]
    intake.replace_regimen(inquiry, regimen, result)
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
