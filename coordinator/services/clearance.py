"""Financial clearance of an inquiry: gather the facts (a fixed handful of queries) and let
rules/clearance.py decide. Also the administrator's override, with a reason, audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.contracts.clearance import ClearanceOverrideInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.care import LevelOfCare
from coordinator.errors import NotPermitted
from coordinator.extensions import db
from coordinator.models import (
    Admission,
    Authorization,
    BenefitVerification,
    ClearanceOverride,
    Coverage,
    Inquiry,
    Program,
    User,
    VerificationLine,
)
from coordinator.roles import Role
from coordinator.rules.clearance import AuthorizationFacts, Clearance, ClearanceInput, CoverageFacts, assess
from coordinator.services import audit, billing_accounts

# Who may clear a person to admit without insurance or a deposit.
OVERRIDERS = frozenset({Role.ADMIN})


def latest_override(inquiry_id: int) -> ClearanceOverride | None:
    """The inquiry's most recent clearance override (with who granted it), or None."""
    return db.session.scalar(
        sa.select(ClearanceOverride)
        .options(joinedload(ClearanceOverride.granted_by))
        .where(ClearanceOverride.inquiry_id == inquiry_id)
        .order_by(ClearanceOverride.granted_at.desc(), ClearanceOverride.id.desc())
        .limit(1)
    )


def _coverage_facts(inquiry_id: int) -> tuple[CoverageFacts, ...]:
    coverages = db.session.scalars(
        sa.select(Coverage)
        .options(joinedload(Coverage.payer))
        .where(Coverage.inquiry_id == inquiry_id)
        .order_by(Coverage.rank)
    ).all()
    if not coverages:
        return ()
    confirmed = db.session.scalars(
        sa.select(BenefitVerification)
        .where(
            BenefitVerification.coverage_id.in_([c.id for c in coverages]),
            BenefitVerification.confirmed_at.is_not(None),
        )
        .order_by(BenefitVerification.confirmed_at.desc(), BenefitVerification.id.desc())
    ).all()
    latest: dict[int, BenefitVerification] = {}
    for verification in confirmed:
        latest.setdefault(verification.coverage_id, verification)
    lines: dict[int, list[VerificationLine]] = {}
    if latest:
        for line in db.session.scalars(
            sa.select(VerificationLine).where(VerificationLine.verification_id.in_([v.id for v in latest.values()]))
        ):
            lines.setdefault(line.verification_id, []).append(line)
    facts = []
    for coverage in coverages:
        verification = latest.get(coverage.id)
        facts.append(
            CoverageFacts(
                label=f"{coverage.rank.label} — {coverage.insurer}",
                effective_from=coverage.effective_from,
                effective_to=coverage.effective_to,
                verification_status=verification.status if verification else None,
                plan_end=verification.plan_end if verification else None,
                prior_auth=tuple(
                    (line.service_line, line.prior_auth_required) for line in lines.get(verification.id, [])
                )
                if verification
                else (),
            )
        )
    return tuple(facts)


def _authorization_facts(inquiry_id: int) -> tuple[AuthorizationFacts, ...]:
    return tuple(
        AuthorizationFacts(a.level_of_care, a.status, a.start_date, a.end_date)
        for a in db.session.scalars(
            sa.select(Authorization).where(Authorization.inquiry_id == inquiry_id).order_by(Authorization.id)
        )
    )


def clearance_for(inquiry: Inquiry, on: date, level: LevelOfCare | None = None) -> Clearance:
    """Whether `inquiry` is cleared to admit on `on` (to `level`, when a program is chosen)."""
    override = latest_override(inquiry.id)
    return assess(
        ClearanceInput(
            on=on,
            level_of_care=level,
            coverages=_coverage_facts(inquiry.id),
            authorizations=_authorization_facts(inquiry.id),
            deposit=billing_accounts.deposit_standing(inquiry.id),
            override_reason=override.reason if override else None,
        )
    )


@dataclass(frozen=True)
class PlannedClearance:
    """Clearance judged for the day it matters: `on` (the admission's date once there is one,
    else the day asked about, else today), for the program's level of care when one is known."""

    on: date
    level: LevelOfCare | None
    clearance: Clearance
    is_admission_date: bool

    @property
    def is_today(self) -> bool:
        return self.on == self.today

    today: date | None = None


def for_plan(
    inquiry: Inquiry, today: date, *, asked_on: date | None = None, asked_program_id: int | None = None
) -> PlannedClearance:
    """Clearance for the planned admission: an admitted inquiry is judged for its admission date
    and program (what "cleared at admission" said), otherwise for the date and program asked
    about on the admit form, otherwise for today and any level."""
    admission = db.session.scalar(sa.select(Admission).where(Admission.inquiry_id == inquiry.id))
    if admission is not None:
        on, program_id, is_admission = admission.admit_date, admission.program_id, True
    else:
        on, program_id, is_admission = asked_on or today, asked_program_id, False
    program = db.session.get(Program, program_id) if program_id else None
    level = program.level_of_care if program is not None else None
    return PlannedClearance(on, level, clearance_for(inquiry, on, level), is_admission, today)


def may_override(user: User) -> bool:
    """Whether `user` may clear an admission without insurance or a deposit."""
    return user.role in OVERRIDERS


def grant_override(actor: User, inquiry: Inquiry, data: ClearanceOverrideInput) -> ClearanceOverride:
    """An administrator clears the inquiry for admission without insurance or a deposit, with a
    reason; the caller commits."""
    if not may_override(actor):
        raise NotPermitted("Only an administrator can override financial clearance.")
    override = ClearanceOverride(inquiry_id=inquiry.id, reason=data.override_reason, granted_by_id=actor.id)
    db.session.add(override)
    db.session.flush()
    audit.record(actor, AuditAction.CLEARANCE_OVERRIDDEN, "inquiry", inquiry.id, detail=f"override {override.id}")
    return override
