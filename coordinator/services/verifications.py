"""Verifications of benefits: reading them, recording a phone or portal check, correcting,
confirming or discarding a draft made from a 271, and closing a request.

The caller checks access first and commits; these functions take the verification contracts
(`contracts/verification.py`), change the models, audit and flush.

- **Manual verifications** (phone, portal) are confirmed on save: the person who recorded the
  check vouches for it (`verified_*` and `confirmed_*` are the actor and now). A service line
  whose fields are all blank is not stored.
- **Amounts** are stored to the cent: each is checked against the verification's currency by
  `rules/money` (its minor unit, and at most MAX_AMOUNT for the column).
- **Only drafts are edited.** A confirmed verification is the record of one check and is never
  rewritten; a newer check is a new verification (the latest confirmed one counts). A draft
  (from a 271) may be corrected field by field and stays a draft until someone confirms it.
- **Stages** follow `rules/verification_lifecycle.py`: a request (a visitor asked for a check)
  is filled in by the next phone or portal check recorded for its coverage (or by an imported
  271, which makes it a draft); a request or a draft may be discarded with a reason.
- **Confirming** needs the findings (`missing_findings`) and, when the 271 names another person
  or payer than the record (`rules/verification_identity.py`), a written explanation, which is
  kept on the verification and shown with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordinator.contracts.base import problem
from coordinator.contracts.verification import (
    LINE_AMOUNTS,
    ConfirmVerificationInput,
    DiscardVerificationInput,
    DraftVerificationInput,
    ServiceLineInput,
    VerificationInput,
)
from coordinator.domain.audit import AuditAction
from coordinator.domain.insurance import ServiceLine
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BenefitVerification, Coverage, Inquiry, User, VerificationLine, utcnow
from coordinator.rules import money
from coordinator.rules import verification_identity as identity
from coordinator.rules.errors import InvalidTransition, RuleError
from coordinator.rules.verification_lifecycle import LIFECYCLE, VerificationAction, VerificationStage, missing_findings
from coordinator.services import audit, records

MAX_AMOUNT = Decimal("9999999999.99")
_LINE_ORDER = {line: index for index, line in enumerate(ServiceLine)}

# --- reading -------------------------------------------------------------------------------------


def _newest_per_coverage(coverage_ids: Iterable[int], *, confirmed_only: bool):
    ranked = sa.select(
        BenefitVerification.id,
        sa.func.row_number()
        .over(
            partition_by=BenefitVerification.coverage_id,
            order_by=(BenefitVerification.created_at.desc(), BenefitVerification.id.desc()),
        )
        .label("rn"),
    ).where(BenefitVerification.coverage_id.in_(list(coverage_ids) or [-1]))
    if confirmed_only:
        ranked = ranked.where(BenefitVerification.confirmed_at.is_not(None))
    return ranked.subquery()


def latest_verifications(
    coverage_ids: Iterable[int], *, confirmed_only: bool = False
) -> dict[int, BenefitVerification]:
    """The newest verification of each coverage (drafts included unless `confirmed_only`), with its
    lines and verifier: coverage id -> verification. Two queries however many coverages."""
    ranked = _newest_per_coverage(coverage_ids, confirmed_only=confirmed_only)
    rows = db.session.scalars(
        sa.select(BenefitVerification)
        .join(ranked, ranked.c.id == BenefitVerification.id)
        .where(ranked.c.rn == 1)
        .options(selectinload(BenefitVerification.lines), joinedload(BenefitVerification.verified_by))
    )
    return {verification.coverage_id: verification for verification in rows}


def verifications_for(coverage_ids: Iterable[int]) -> dict[int, list[BenefitVerification]]:
    """Every verification of these coverages, newest first, with lines: coverage id -> list (two queries)."""
    ids = list(coverage_ids)
    found: dict[int, list[BenefitVerification]] = {coverage_id: [] for coverage_id in ids}
    rows = db.session.scalars(
        sa.select(BenefitVerification)
        .where(BenefitVerification.coverage_id.in_(ids or [-1]))
        .options(selectinload(BenefitVerification.lines), joinedload(BenefitVerification.verified_by))
        .order_by(BenefitVerification.created_at.desc(), BenefitVerification.id.desc())
    )
    for verification in rows:
        found.setdefault(verification.coverage_id, []).append(verification)
    return found


def load_verification(verification_id: int) -> BenefitVerification:
    """The verification with its lines, verifier and coverage (and payer), or NotFound."""
    found = records.load(BenefitVerification, verification_id)
    related = [
        selectinload(BenefitVerification.lines),
        joinedload(BenefitVerification.verified_by),
        joinedload(BenefitVerification.coverage).joinedload(Coverage.payer),
    ]
    return db.session.get(BenefitVerification, found.id, options=related, populate_existing=True)


def people_named(verification: BenefitVerification) -> dict[int, str]:
    """Names of the staff who created, verified and confirmed it (one query)."""
    ids = (verification.created_by_id, verification.verified_by_id, verification.confirmed_by_id)
    ids = {i for i in (*ids, verification.discarded_by_id) if i}
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.full_name).where(User.id.in_(ids))).all())


def lines_by_service(verification: BenefitVerification) -> dict[str, VerificationLine]:
    """The verification's lines keyed by service line value, as the forms name them."""
    return {line.service_line.value: line for line in verification.lines}


# --- writing -------------------------------------------------------------------------------------


def _line_values(line: ServiceLine, given: ServiceLineInput, currency: str, problems: list) -> dict:
    """One line's column values, its amounts checked for the currency (problems appended)."""
    values = given.model_dump()
    for name, what in LINE_AMOUNTS.items():
        if values[name] is None:
            continue
        try:
            values[name] = money.parse_amount(
                values[name], currency, f"{line.value}.{name}", allow_zero=True, label=what, maximum=MAX_AMOUNT
            )
        except RuleError as error:
            problems.extend(error.errors)
    return values


def _checked_lines(data: DraftVerificationInput | VerificationInput) -> dict[ServiceLine, dict]:
    problems: list = []
    lines = {line: _line_values(line, given, data.currency, problems) for line, given in data.lines().items()}
    if problems:
        raise ValidationFailed(problems)
    return lines


def _header(data: DraftVerificationInput | VerificationInput) -> dict:
    names = ("status", "network_status", "out_of_network_benefits", "payer_reference", "payer_contact")
    names += ("plan_begin", "plan_end", "currency", "notes")
    return {name: getattr(data, name) for name in names}


def open_request(coverage_id: int) -> BenefitVerification | None:
    """The coverage's oldest request nobody has answered yet, if any."""
    return db.session.scalars(
        sa.select(BenefitVerification)
        .where(
            BenefitVerification.coverage_id == coverage_id,
            BenefitVerification.stage == VerificationStage.REQUESTED,
        )
        .order_by(BenefitVerification.created_at, BenefitVerification.id)
        .options(selectinload(BenefitVerification.lines))
        .limit(1)
    ).first()


def _move(verification: BenefitVerification, action: VerificationAction) -> None:
    """Set the stage the lifecycle gives, or refuse the move as a problem on the form."""
    try:
        verification.stage = LIFECYCLE.next(verification.stage, action)
    except InvalidTransition as refused:
        raise ValidationFailed.single(None, refused.message) from None


def record_verification(actor: User, coverage: Coverage, data: VerificationInput) -> BenefitVerification:
    """Record a phone or portal check, confirmed on save by the person who made it; it fills in
    the coverage's open request when there is one. The caller commits."""
    lines = _checked_lines(data)
    now = utcnow()
    confirmed = dict(verified_by_id=actor.id, verified_at=now, confirmed_by_id=actor.id, confirmed_at=now)
    verification = open_request(coverage.id)
    if verification is None:
        verification = BenefitVerification(
            coverage_id=coverage.id, created_by_id=actor.id, stage=VerificationStage.CONFIRMED, findings=[]
        )
        db.session.add(verification)
        verification.lines = []
        answered = ""
    else:
        _move(verification, VerificationAction.RECORD)
        answered = ", answers the request"
    for name, value in {**confirmed, "method": data.method, **_header(data)}.items():
        setattr(verification, name, value)
    verification.lines = [VerificationLine(service_line=line, **values) for line, values in lines.items()]
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_RECORDED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {coverage.id}, {data.method}, {len(lines)} service lines{answered}",
    )
    return verification


def update_verification(
    actor: User, verification: BenefitVerification, data: DraftVerificationInput
) -> BenefitVerification:
    """Correct a draft (confirmed verifications are never rewritten); the caller commits."""
    if not verification.is_draft:
        raise ValidationFailed(
            [problem(None, "verification_confirmed" if verification.is_confirmed else "verification_not_draft")]
        )
    _move(verification, VerificationAction.CORRECT)
    lines = _checked_lines(data)
    for name, value in _header(data).items():
        setattr(verification, name, value)
    existing = {line.service_line: line for line in verification.lines}
    kept = []
    for service_line, values in lines.items():
        line = existing.get(service_line) or VerificationLine(service_line=service_line)
        for name, value in values.items():
            setattr(line, name, value)
        kept.append(line)
    verification.lines = sorted(kept, key=lambda line: _LINE_ORDER[line.service_line])
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_UPDATED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {verification.coverage_id}, draft, {len(kept)} service lines",
    )
    return verification


def identity_mismatches(verification: BenefitVerification) -> list[str]:
    """How the 271 behind a verification differs from the record now: member id, the
    subscriber's (and a dependent patient's) name and date of birth, the payer (one query)."""
    on_271 = identity.from_json(verification.identity_271)
    if on_271 is None:
        return []
    coverage = verification.coverage
    inquiry = db.session.get(Inquiry, coverage.inquiry_id)
    patient = identity.Person(full_name=inquiry.patient_name, birth_date=inquiry.patient_dob)
    if coverage.subscriber_name or coverage.subscriber_dob:
        subscriber = identity.Person(full_name=coverage.subscriber_name, birth_date=coverage.subscriber_dob)
    else:
        subscriber = patient
    payer = (coverage.insurer or None, coverage.payer.payer_code if coverage.payer is not None else None)
    return identity.mismatches(on_271, subscriber, patient, coverage.member_id, payer)


def confirmation_problems(verification: BenefitVerification) -> list[str]:
    """What keeps a draft from being confirmed, besides an explanation of a mismatch."""
    return missing_findings(verification.status, verification.plan_begin, [line.covered for line in verification.lines])


def confirm_verification(
    actor: User, verification: BenefitVerification, data: ConfirmVerificationInput
) -> BenefitVerification:
    """Confirm a draft under the actor's name, so it counts toward clearance: it needs the
    findings, and an explanation when the 271 differs from the record. The caller commits."""
    if verification.is_confirmed:
        raise ValidationFailed([problem(None, "verification_already_confirmed")])
    if not verification.is_draft:
        raise ValidationFailed([problem(None, "verification_not_draft")])
    missing = confirmation_problems(verification)
    if missing:
        raise ValidationFailed([problem(None, "verification_findings_missing", missing=" ".join(missing))])
    mismatched = identity_mismatches(verification)
    if mismatched and not data.explanation:
        raise ValidationFailed([problem("explanation", "verification_mismatch_unexplained")])
    _move(verification, VerificationAction.CONFIRM)
    now = utcnow()
    verification.confirmed_at = verification.verified_at = now
    verification.confirmed_by_id = verification.verified_by_id = actor.id
    verification.mismatch_explanation = data.explanation if mismatched else None
    db.session.flush()
    explained = f", {len(mismatched)} differences from the record explained" if mismatched else ""
    audit.record(
        actor,
        AuditAction.VERIFICATION_CONFIRMED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {verification.coverage_id}{explained}",
    )
    return verification


def discard_verification(
    actor: User, verification: BenefitVerification, data: DiscardVerificationInput
) -> BenefitVerification:
    """Set a request or a draft aside with a reason (kept on the row; nothing is deleted), so it
    leaves the work queues. The caller commits."""
    was = verification.stage
    _move(verification, VerificationAction.DISCARD)
    verification.discard_reason = data.reason
    verification.discarded_by_id = actor.id
    verification.discarded_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_DISCARDED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {verification.coverage_id}, was {was.value}; reason kept on the verification",
    )
    return verification
