"""Verifications of benefits: reading them, recording a phone or portal check, correcting and
confirming a draft made from a 271.

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
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordinator.contracts.base import problem
from coordinator.contracts.verification import (
    LINE_AMOUNTS,
    DraftVerificationInput,
    ServiceLineInput,
    VerificationInput,
)
from coordinator.domain.audit import AuditAction
from coordinator.domain.insurance import ServiceLine
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import BenefitVerification, Coverage, User, VerificationLine, utcnow
from coordinator.rules import money
from coordinator.rules.errors import RuleError
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
    ids = {i for i in (verification.created_by_id, verification.verified_by_id, verification.confirmed_by_id) if i}
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


def record_verification(actor: User, coverage: Coverage, data: VerificationInput) -> BenefitVerification:
    """Record a phone or portal check, confirmed on save by the person who made it; the caller commits."""
    lines = _checked_lines(data)
    now = utcnow()
    verification = BenefitVerification(
        coverage_id=coverage.id,
        created_by_id=actor.id,
        verified_by_id=actor.id,
        verified_at=now,
        confirmed_by_id=actor.id,
        confirmed_at=now,
        findings=[],
        method=data.method,
        **_header(data),
    )
    verification.lines = [VerificationLine(service_line=line, **values) for line, values in lines.items()]
    db.session.add(verification)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_RECORDED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {coverage.id}, {data.method}, {len(lines)} service lines",
    )
    return verification


def update_verification(
    actor: User, verification: BenefitVerification, data: DraftVerificationInput
) -> BenefitVerification:
    """Correct a draft (confirmed verifications are never rewritten); the caller commits."""
    if not verification.is_draft:
        raise ValidationFailed([problem(None, "verification_confirmed")])
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


def confirm_verification(actor: User, verification: BenefitVerification) -> BenefitVerification:
    """Confirm a draft under the actor's name, so it counts toward clearance; the caller commits."""
    if not verification.is_draft:
        raise ValidationFailed([problem(None, "verification_already_confirmed")])
    now = utcnow()
    verification.confirmed_at = verification.verified_at = now
    verification.confirmed_by_id = verification.verified_by_id = actor.id
    db.session.flush()
    audit.record(
        actor,
        AuditAction.VERIFICATION_CONFIRMED,
        "benefit_verification",
        verification.id,
        detail=f"coverage {verification.coverage_id}",
    )
    return verification
