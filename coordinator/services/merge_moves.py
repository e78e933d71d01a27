"""What moves with a merge besides the timeline, tasks and screenings: insurance, private pay
and reminders. `check` lists what would make a move unsafe (before anything changes); `move`
makes the moves and audits them. Neither commits.

- **Coverages** move to the survivor, taking the coverage ranks it has free (primary first,
  `rules/merge.coverage_ranks`); their benefit verifications (keyed by coverage) and the
  authorizations (keyed by inquiry, pointing at those coverages) go with them. If the survivor
  has no free rank left for one of them, the merge is refused: staff end or re-rank a
  coverage on the finance page first.
- **Billing account** (one per inquiry): the duplicate's account moves when the survivor has
  none; when both have one in the same currency, the duplicate's quotes, payment plans and
  ledger entries move into the survivor's account (entries keep their amounts, dates and void
  marks; the statement shows them all, the balance is the sum) and the emptied account stays
  with the merged inquiry; in different currencies the merge is refused (an account keeps one
  currency for life, and money is never converted).
- **Reminders**: the duplicate's first-contact reminder was cancelled (reminders.inquiry_closed);
  every other reminder (tasks, screenings, authorizations, installments) follows its record to
  the survivor, so the restricted-record check at send time reads the survivor.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from coordinator.contracts.base import problem
from coordinator.contracts.messages import define
from coordinator.domain.audit import AuditAction
from coordinator.errors import Problem
from coordinator.extensions import db
from coordinator.models import (
    Authorization,
    BenefitVerification,
    BillingAccount,
    Coverage,
    Inquiry,
    LedgerEntry,
    PaymentPlan,
    Quote,
    Reminder,
    User,
)
from coordinator.rules import merge as merge_rules
from coordinator.services import audit, reminders

define(
    {
        "merge_coverage_ranks_full": "Inquiry #{survivor} already has a primary and a secondary coverage, so "
        "the {count} coverage(s) of this inquiry have no place on it. On the finance page, end or remove "
        "the coverages no longer in force first, then merge.",
        "merge_currency_differs": "Both inquiries have a private-pay account, in {survivor_currency} and "
        "{duplicate_currency}. An account keeps one currency and money is never converted, so they cannot "
        "be combined: settle or close one of them with billing first.",
    }
)


@dataclass(frozen=True)
class Finances:
    """The insurance and private-pay records of a duplicate and what happens to them."""

    coverages: list[Coverage]
    ranks: list | None  # the rank each coverage takes on the survivor, or None: no room
    verifications: int
    authorizations: int
    duplicate_account: BillingAccount | None
    survivor_account: BillingAccount | None

    @property
    def combines_accounts(self) -> bool:
        return self.duplicate_account is not None and self.survivor_account is not None


def _account(inquiry_id: int, *, lock: bool) -> BillingAccount | None:
    statement = sa.select(BillingAccount).where(BillingAccount.inquiry_id == inquiry_id)
    return db.session.scalar(statement.with_for_update() if lock else statement)


def finances(survivor: Inquiry, duplicate: Inquiry, *, lock: bool = False) -> Finances:
    """What the duplicate holds (locking the accounts when about to move them)."""
    coverages = list(
        db.session.scalars(sa.select(Coverage).where(Coverage.inquiry_id == duplicate.id).order_by(Coverage.id))
    )
    taken = set(db.session.scalars(sa.select(Coverage.rank).where(Coverage.inquiry_id == survivor.id)))
    ids = [c.id for c in coverages]
    verifications = (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(BenefitVerification).where(BenefitVerification.coverage_id.in_(ids))
        )
        if ids
        else 0
    )
    authorizations = db.session.scalar(
        sa.select(sa.func.count()).select_from(Authorization).where(Authorization.inquiry_id == duplicate.id)
    )
    first, second = sorted((survivor.id, duplicate.id))  # lock in id order: no deadlock with another merge
    accounts = {first: _account(first, lock=lock), second: _account(second, lock=lock)}
    return Finances(
        coverages=coverages,
        ranks=merge_rules.coverage_ranks(taken, [c.rank for c in coverages]),
        verifications=verifications or 0,
        authorizations=authorizations or 0,
        duplicate_account=accounts[duplicate.id],
        survivor_account=accounts[survivor.id],
    )


def check(survivor: Inquiry, money: Finances) -> list[Problem]:
    """Why these records cannot move (nothing has changed yet)."""
    problems = []
    if money.ranks is None:
        problems.append(
            problem("survivor_id", "merge_coverage_ranks_full", survivor=survivor.id, count=len(money.coverages))
        )
    if money.combines_accounts and money.duplicate_account.currency != money.survivor_account.currency:
        problems.append(
            problem(
                "survivor_id",
                "merge_currency_differs",
                survivor_currency=money.survivor_account.currency,
                duplicate_currency=money.duplicate_account.currency,
            )
        )
    return problems


def move(actor: User, survivor: Inquiry, duplicate: Inquiry, money: Finances) -> list[str]:
    """Move the duplicate's insurance, private pay and reminders to the survivor; the parts
    moved, for the audit detail (counts and ids only)."""
    moved = []
    for coverage, rank in zip(money.coverages, money.ranks or (), strict=True):
        old_rank = coverage.rank
        coverage.inquiry_id, coverage.rank = survivor.id, rank
        audit.record(
            actor,
            AuditAction.COVERAGE_MOVED_BY_MERGE,
            "coverage",
            coverage.id,
            detail=f"inquiry {duplicate.id} -> {survivor.id}, {old_rank.value} -> {rank.value}",
        )
    if money.coverages:
        db.session.flush()
        moved.append(f"{len(money.coverages)} coverage(s), {money.verifications} verification(s)")
    if money.authorizations:
        db.session.execute(
            sa.update(Authorization).where(Authorization.inquiry_id == duplicate.id).values(inquiry_id=survivor.id)
        )
        moved.append(f"{money.authorizations} authorization(s)")
    if money.duplicate_account is not None:
        moved.append(_move_account(actor, survivor, duplicate, money))
    _move_reminders(survivor, duplicate)
    return moved


def _move_account(actor: User, survivor: Inquiry, duplicate: Inquiry, money: Finances) -> str:
    account = money.duplicate_account
    if money.survivor_account is None:
        account.inquiry_id = survivor.id
        audit.record(
            actor,
            AuditAction.BILLING_ACCOUNT_MOVED_BY_MERGE,
            "billing_account",
            account.id,
            detail=f"inquiry {duplicate.id} -> {survivor.id}",
        )
        return f"billing account {account.id}"
    into = money.survivor_account
    for model in (Quote, PaymentPlan, LedgerEntry):
        db.session.execute(sa.update(model).where(model.account_id == account.id).values(account_id=into.id))
    audit.record(
        actor,
        AuditAction.BILLING_ACCOUNT_MOVED_BY_MERGE,
        "billing_account",
        account.id,
        detail=f"quotes, plans and ledger entries combined into account {into.id} (inquiry {survivor.id})",
    )
    return f"billing account {account.id} combined into {into.id}"


def _move_reminders(survivor: Inquiry, duplicate: Inquiry) -> None:
    db.session.execute(
        sa.update(Reminder)
        .where(Reminder.inquiry_id == duplicate.id, Reminder.kind.not_in(reminders.AWAITING_CONTACT))
        .values(inquiry_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
