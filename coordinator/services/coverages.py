"""Coverages on an inquiry: the insurance policies a person holds, primary and secondary.

Everything hangs off the inquiry (an admission is 1:1 with its inquiry), so a coverage stays
editable after admission. The caller checks access first (`finance_access.require`, which
audits the read) and commits; these functions take a `CoverageInput`, check what needs the
database, change the models, audit and flush.

- A payer is chosen from the active list (a coverage keeps a payer that was retired later), or
  the insurer's name is typed; a chosen payer wins over a typed name.
- One primary and one secondary per inquiry.
- The insured person's name, birth date and sex are cleared when the patient is the insured.
- Editing keeps where the coverage came from (`source`: phone, web form, API).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coordinator.contracts.base import problem
from coordinator.contracts.coverage import CoverageInput
from coordinator.domain.audit import AuditAction
from coordinator.domain.insurance import CoverageRank
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Coverage, Inquiry, Payer, User
from coordinator.services import audit, records


def active_payers() -> list[Payer]:
    """Payers staff may choose for a new coverage, by name."""
    return list(
        db.session.scalars(sa.select(Payer).where(Payer.is_active.is_(True)).order_by(sa.func.lower(Payer.name)))
    )


def coverages_for(inquiry: Inquiry) -> list[Coverage]:
    """The inquiry's coverages, primary first, with their payers (one query)."""
    rank_order = sa.case((Coverage.rank == CoverageRank.PRIMARY, 0), else_=1)
    return list(
        db.session.scalars(
            sa.select(Coverage)
            .where(Coverage.inquiry_id == inquiry.id)
            .options(joinedload(Coverage.payer))
            .order_by(rank_order, Coverage.id)
        )
    )


def load_coverage(coverage_id: int) -> Coverage:
    """The coverage with its payer, or NotFound."""
    coverage = records.load(Coverage, coverage_id)
    return db.session.get(Coverage, coverage.id, options=[joinedload(Coverage.payer)], populate_existing=True)


def next_rank(inquiry: Inquiry) -> CoverageRank:
    """The rank a new coverage is offered: secondary once there is a primary."""
    ranks = {coverage.rank for coverage in coverages_for(inquiry)}
    return CoverageRank.SECONDARY if CoverageRank.PRIMARY in ranks else CoverageRank.PRIMARY


def _stored(data: CoverageInput, inquiry_id: int, coverage: Coverage | None) -> dict:
    """The column values for `data`, after the checks that need the database."""
    problems = []
    clash = db.session.scalar(
        sa.select(Coverage.id).where(Coverage.inquiry_id == inquiry_id, Coverage.rank == data.rank)
    )
    if clash is not None and (coverage is None or clash != coverage.id):
        other = CoverageRank.SECONDARY if data.rank is CoverageRank.PRIMARY else CoverageRank.PRIMARY
        problems.append(problem("rank", "coverage_rank_taken", rank=data.rank.value, other=other.value))
    if data.payer_id is not None:
        payer = records.find(Payer, data.payer_id)
        kept = coverage is not None and coverage.payer_id == data.payer_id
        if payer is None or not (payer.is_active or kept):
            problems.append(problem("payer_id", "coverage_payer_unknown"))
    if problems:
        raise ValidationFailed(problems)
    values = data.model_dump()
    if data.payer_id is not None:
        values["payer_name"] = None
    if data.patient_is_insured:
        values.update(subscriber_name=None, subscriber_dob=None, subscriber_sex=None)
    return values


def add_coverage(actor: User, inquiry: Inquiry, data: CoverageInput) -> Coverage:
    """Add a coverage to the inquiry; the caller commits."""
    coverage = Coverage(inquiry_id=inquiry.id, created_by_id=actor.id, **_stored(data, inquiry.id, None))
    db.session.add(coverage)
    db.session.flush()
    audit.record(
        actor, AuditAction.COVERAGE_ADDED, "coverage", coverage.id, detail=f"inquiry {inquiry.id}, {coverage.rank}"
    )
    return coverage


def update_coverage(actor: User, coverage: Coverage, data: CoverageInput) -> Coverage:
    """Change a coverage's details (its source stays as it came); the caller commits."""
    values = _stored(data, coverage.inquiry_id, coverage)
    changed = sorted(name for name, value in values.items() if getattr(coverage, name) != value)
    for name, value in values.items():
        setattr(coverage, name, value)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.COVERAGE_UPDATED,
        "coverage",
        coverage.id,
        detail=f"inquiry {coverage.inquiry_id}; changed: {', '.join(changed) or 'nothing'}",
    )
    return coverage
