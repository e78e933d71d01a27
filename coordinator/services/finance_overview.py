"""One inquiry's finances at a glance, and billing's worklist across inquiries.

Both read in a fixed number of queries whatever the data: the overview loads each kind of
record once; the worklist pages inquiries first and then loads the page's coverages,
verifications, balances and review dates with one IN query each.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from coordinator.contracts.values.cursor import ListCursor
from coordinator.domain.audit import AuditAction
from coordinator.domain.billing import LedgerKind
from coordinator.domain.insurance import VerificationStatus
from coordinator.domain.intake import BreakGlassScope
from coordinator.extensions import db
from coordinator.models import (
    Authorization,
    AuthorizationReview,
    BenefitVerification,
    BillingAccount,
    ClearanceOverride,
    Coverage,
    Inquiry,
    LedgerEntry,
    User,
)
from coordinator.roles import Role
from coordinator.rules import ledger, money
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.rules.clearance import Clearance
from coordinator.services import audit, billing_accounts, clearance, finance_access, inquiry_access
from coordinator.services.pagination import Part, SeekPage, capped_count, seek


@dataclass(frozen=True)
class CoverageRow:
    coverage: Coverage
    latest: BenefitVerification | None  # newest verification of any kind (drafts included)
    latest_confirmed: BenefitVerification | None


@dataclass(frozen=True)
class AccountSummary:
    account: BillingAccount
    balance: Decimal
    charges: Decimal
    paid: Decimal
    deposit_received: bool
    deposit: billing_accounts.DepositFacts | None = None  # kept and asked, for the page

    def money(self, amount: Decimal) -> str:
        return money.format_money(amount, self.account.currency)


@dataclass(frozen=True)
class Overview:
    inquiry: Inquiry
    clearance: Clearance
    coverages: list[CoverageRow]
    authorizations: list[Authorization]
    account: AccountSummary | None
    override: ClearanceOverride | None
    verifications: dict[int, list[BenefitVerification]] = field(default_factory=dict)
    planned: clearance.PlannedClearance | None = None  # the date (and level) clearance is judged for


def _account_summary(inquiry_id: int) -> AccountSummary | None:
    """The account's totals and whether a deposit counts toward clearance, or None."""
    account = db.session.scalar(sa.select(BillingAccount).where(BillingAccount.inquiry_id == inquiry_id))
    if account is None:
        return None
    rows = db.session.scalars(sa.select(LedgerEntry).where(LedgerEntry.account_id == account.id)).all()
    entries = [
        ledger.Entry(r.id, r.kind.value, r.amount, r.currency, r.entry_date, r.voided_at is not None) for r in rows
    ]
    live = [r for r in rows if r.voided_at is None]
    charges = sum((r.amount for r in live if r.kind is LedgerKind.CHARGE), Decimal(0))
    paid = sum((r.amount for r in live if r.kind is LedgerKind.PAYMENT), Decimal(0)) - sum(
        (r.amount for r in live if r.kind is LedgerKind.REFUND), Decimal(0)
    )
    return AccountSummary(
        account,
        ledger.balance(entries, account.currency),
        money.quantize(charges, account.currency),
        money.quantize(paid, account.currency),
        billing_accounts.deposit_received(inquiry_id),
        billing_accounts.deposit_standing(inquiry_id),
    )


def overview(inquiry: Inquiry, today: date) -> Overview:
    """One inquiry's clearance, coverages with their verifications, authorizations and account."""
    coverages = db.session.scalars(
        sa.select(Coverage)
        .options(joinedload(Coverage.payer))
        .where(Coverage.inquiry_id == inquiry.id)
        .order_by(Coverage.rank)
    ).all()
    verifications: dict[int, list[BenefitVerification]] = {}
    if coverages:
        for verification in db.session.scalars(
            sa.select(BenefitVerification)
            .options(joinedload(BenefitVerification.verified_by))
            .where(BenefitVerification.coverage_id.in_([c.id for c in coverages]))
            .order_by(BenefitVerification.created_at.desc(), BenefitVerification.id.desc())
        ):
            verifications.setdefault(verification.coverage_id, []).append(verification)
    rows = [
        CoverageRow(
            c,
            next(iter(verifications.get(c.id, [])), None),
            next((v for v in verifications.get(c.id, []) if v.is_confirmed), None),
        )
        for c in coverages
    ]
    authorizations = db.session.scalars(
        sa.select(Authorization)
        .options(selectinload(Authorization.reviews).joinedload(AuthorizationReview.actor))
        .where(Authorization.inquiry_id == inquiry.id)
        .order_by(Authorization.start_date.desc().nulls_last(), Authorization.id.desc())
    ).all()
    planned = clearance.for_plan(inquiry, today)
    return Overview(
        inquiry,
        planned.clearance,
        rows,
        list(authorizations),
        _account_summary(inquiry.id),
        clearance.latest_override(inquiry.id),
        verifications,
        planned,
    )


# --- billing's worklist ---------------------------------------------------------------------------

VIEWS = {
    "all": "Everyone with insurance or an account",
    "needs_verification": "Insurance not yet verified",
    "reviews_due": "Authorization review or last day within 7 days",
    "balance_due": "Private-pay balance owing",
}


@dataclass(frozen=True)
class WorkRow:
    inquiry: Inquiry
    visible: bool
    coverages: list[Coverage]
    verification_status: VerificationStatus | None  # of the newest confirmed verification
    has_draft: bool  # a 271 draft waits for review
    balance: str | None
    next_review: date | None
    has_request: bool = False  # someone asked for a check nobody has made yet


def _statement(user: User, view: str, today: date, glass: frozenset[int]):
    has_coverage = sa.select(Coverage.id).where(Coverage.inquiry_id == Inquiry.id).exists()
    has_account = sa.select(BillingAccount.id).where(BillingAccount.inquiry_id == Inquiry.id).exists()
    statement = sa.select(Inquiry).where(Inquiry.merged_into_id.is_(None))
    if view == "needs_verification":
        confirmed = (
            sa.select(BenefitVerification.id)
            .join(Coverage, Coverage.id == BenefitVerification.coverage_id)
            .where(Coverage.inquiry_id == Inquiry.id, BenefitVerification.confirmed_at.is_not(None))
            .exists()
        )
        statement = statement.where(has_coverage, ~confirmed)
    elif view == "reviews_due":
        soon = today + timedelta(days=7)
        statement = statement.where(
            sa.select(Authorization.id)
            .where(
                Authorization.inquiry_id == Inquiry.id,
                Authorization.status.in_(
                    (
                        AuthorizationStatus.PENDING,
                        AuthorizationStatus.APPROVED,
                        AuthorizationStatus.PARTIALLY_APPROVED,
                        AuthorizationStatus.APPEALED,
                    )
                ),
                sa.or_(
                    Authorization.next_review_date.between(today, soon), Authorization.end_date.between(today, soon)
                ),
            )
            .exists()
        )
    elif view == "balance_due":
        signed = sa.case(
            (LedgerEntry.kind == LedgerKind.CHARGE, LedgerEntry.amount),
            (LedgerEntry.kind == LedgerKind.REFUND, LedgerEntry.amount),
            else_=-LedgerEntry.amount,
        )
        owing = (
            sa.select(sa.func.coalesce(sa.func.sum(signed), 0))
            .join(BillingAccount, BillingAccount.id == LedgerEntry.account_id)
            .where(BillingAccount.inquiry_id == Inquiry.id, LedgerEntry.voided_at.is_(None))
            .scalar_subquery()
        )
        statement = statement.where(has_account, owing > 0)
    else:
        statement = statement.where(_has_finance_rows())
    return statement


def _has_finance_rows():
    """A coverage or a billing account, as ONE correlated EXISTS over a UNION ALL: probed per
    row through the unique (inquiry_id, ...) indexes while the list walks its arrival index.
    `EXISTS coverage OR EXISTS account` let PostgreSQL hash both subqueries instead, reading
    every coverage and account on every page (the worklist grew 3.8x from 2k to 200k)."""
    return sa.exists(
        sa.union_all(
            sa.select(sa.literal(1)).where(Coverage.inquiry_id == Inquiry.id).correlate(Inquiry),
            sa.select(sa.literal(1)).where(BillingAccount.inquiry_id == Inquiry.id).correlate(Inquiry),
        )
    )


def _parts(user: User, statement, glass: frozenset[int]) -> list[Part]:
    """Restricted inquiries are listed (billing must know they exist) but shown without a name,
    after the others as one block by number (their arrival must not place them): two parts of
    the list, the visible ones newest first, then the hidden ones by id (`pagination.seek`)."""
    visible = inquiry_access.visible_condition(user, glass)
    parts = [
        Part(
            "visible",
            statement.where(visible),
            ((Inquiry.arrived_at, True), (Inquiry.id, True)),
            lambda i: (i.arrived_at, i.id),
            ("time", "id"),
        )
    ]
    if user.role != Role.ADMIN:
        hidden = inquiry_access.hidden_condition(user, glass)
        parts.append(Part("hidden", statement.where(hidden), ((Inquiry.id, False),), lambda i: (i.id,), ("id",)))
    return parts


def worklist(
    user: User, view: str, cursor: ListCursor | None, per_page: int, today: date
) -> tuple[SeekPage, list[WorkRow]]:
    """One page of billing's worklist (`view` is a key of VIEWS) by keyset pages and a capped
    count, restricted rows without names; audited as one row naming the inquiries listed."""
    view = view if view in VIEWS else "all"
    glass = inquiry_access.open_break_glass_ids(user, BreakGlassScope.FINANCE)
    statement = _statement(user, view, today, glass)
    result = seek(_parts(user, statement, glass), cursor, per_page, sort=view, total=capped_count(statement))
    ids = [i.id for i in result.items]
    coverages: dict[int, list[Coverage]] = {}
    status: dict[int, VerificationStatus] = {}
    drafts: set[int] = set()
    requests: set[int] = set()
    balances: dict[int, str] = {}
    reviews: dict[int, date] = {}
    if ids:
        for coverage in db.session.scalars(
            sa.select(Coverage)
            .options(joinedload(Coverage.payer))
            .where(Coverage.inquiry_id.in_(ids))
            .order_by(Coverage.rank)
        ):
            coverages.setdefault(coverage.inquiry_id, []).append(coverage)
        for inquiry_id, verification in db.session.execute(
            sa.select(Coverage.inquiry_id, BenefitVerification)
            .join(Coverage, Coverage.id == BenefitVerification.coverage_id)
            .where(Coverage.inquiry_id.in_(ids))
            .order_by(BenefitVerification.created_at.desc(), BenefitVerification.id.desc())
        ):
            if verification.is_draft:
                drafts.add(inquiry_id)
            elif verification.is_request:
                requests.add(inquiry_id)
            elif verification.is_confirmed:
                status.setdefault(inquiry_id, verification.status)
        signed = sa.case((LedgerEntry.kind == LedgerKind.PAYMENT, -LedgerEntry.amount), else_=LedgerEntry.amount)
        for inquiry_id, currency, total in db.session.execute(
            sa.select(BillingAccount.inquiry_id, BillingAccount.currency, sa.func.coalesce(sa.func.sum(signed), 0))
            .outerjoin(
                LedgerEntry, sa.and_(LedgerEntry.account_id == BillingAccount.id, LedgerEntry.voided_at.is_(None))
            )
            .where(BillingAccount.inquiry_id.in_(ids))
            .group_by(BillingAccount.inquiry_id, BillingAccount.currency)
        ):
            balances[inquiry_id] = money.format_money(money.quantize(Decimal(total), currency), currency)
        for inquiry_id, nearest in db.session.execute(
            sa.select(Authorization.inquiry_id, sa.func.min(Authorization.next_review_date))
            .where(Authorization.inquiry_id.in_(ids), Authorization.next_review_date >= today)
            .group_by(Authorization.inquiry_id)
        ):
            reviews[inquiry_id] = nearest
    rows = [
        WorkRow(
            i,
            finance_access.can_see(user, i, glass),
            coverages.get(i.id, []),
            status.get(i.id),
            i.id in drafts,
            balances.get(i.id),
            reviews.get(i.id),
            i.id in requests,
        )
        for i in result.items
    ]
    first = 1 if result.first is None else None  # later pages have a position, not a number
    audit.record_listing(user, AuditAction.FINANCE_WORKLIST_LISTED, "inquiry", ids, page=first)
    return result, rows
