"""The short lists on the home pages: billing's work queue and everyone's unassigned inquiries.

Each section is a few rows (`ROWS`) read by an index that matches its order, and a count that
stops at `CAP` ("more than 99"), so the home page costs the same statements however large the
tables grow. Only records the reader may open appear: like a search or a filtered list, a
section never shows (or counts) a restricted record its reader may not open, since being in it
would tell something about that record. Reads are audited as one row naming the inquiries shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

from coordinator.domain.audit import AuditAction
from coordinator.domain.billing import LedgerKind
from coordinator.domain.intake import BreakGlassScope
from coordinator.domain.labelled import LabelledStrEnum
from coordinator.extensions import db
from coordinator.models import (
    Authorization,
    BenefitVerification,
    BillingAccount,
    Coverage,
    Inquiry,
    Installment,
    LedgerEntry,
    PaymentPlan,
    User,
)
from coordinator.rules import money
from coordinator.rules.authorization_lifecycle import AuthorizationStatus
from coordinator.rules.inquiry_lifecycle import InquiryStatus
from coordinator.rules.payment_plan_lifecycle import PlanStatus
from coordinator.rules.verification_lifecycle import VerificationStage
from coordinator.services import audit, inquiry_access
from coordinator.services.pagination import capped_count

ROWS = 8
CAP = 99
SOON_DAYS = 7  # authorizations ending and installments falling due within a week
OVERDUE_LOOKBACK_DAYS = 90  # unpaid installments this far back still show as due
OPEN = (
    InquiryStatus.NEW,
    InquiryStatus.CONTACTED,
    InquiryStatus.SCREENING,
    InquiryStatus.VERIFYING,
    InquiryStatus.PLACEMENT_OFFERED,
)
LIVE_AUTHORIZATIONS = (
    AuthorizationStatus.PENDING,
    AuthorizationStatus.APPROVED,
    AuthorizationStatus.PARTIALLY_APPROVED,
    AuthorizationStatus.APPEALED,
)


class QueueKind(LabelledStrEnum):
    NEW_PRIVATE_PAY = "new_private_pay", "New private-pay and uninsured inquiries"
    VERIFICATION_REQUESTED = "verification_requested", "Verifications requested"
    DRAFT_TO_REVIEW = "draft_to_review", "271 drafts to review"
    AUTHORIZATION_ENDING = "authorization_ending", "Authorizations ending within 7 days"
    INSTALLMENT_DUE = "installment_due", "Installments due or overdue"
    UNASSIGNED = "unassigned", "Unassigned inquiries"


@dataclass(frozen=True)
class QueueRow:
    inquiry_id: int
    patient_name: str
    status: InquiryStatus
    when: datetime | date  # arrived, requested, last covered day or due date
    detail: str = ""  # what the row is about, in words (never a clinical value)


# Where a section's whole list is (billing's worklist views, `finance_overview.VIEWS`).
WORKLIST_VIEW = {
    QueueKind.VERIFICATION_REQUESTED: "needs_verification",
    QueueKind.DRAFT_TO_REVIEW: "needs_verification",
    QueueKind.AUTHORIZATION_ENDING: "reviews_due",
    QueueKind.INSTALLMENT_DUE: "balance_due",
}


@dataclass(frozen=True)
class Section:
    kind: QueueKind
    rows: list[QueueRow]
    total: int
    more: bool  # more than `total` (the count stopped at the cap)

    @property
    def worklist_view(self) -> str | None:
        return WORKLIST_VIEW.get(self.kind)


def grants_for(user: User) -> frozenset[int]:
    """The break-the-glass grants that open records to `user` on their home page (one query):
    clinical ones for those who read inquiries, finance ones for billing."""
    scope = BreakGlassScope.CLINICAL if user.role in inquiry_access.READERS else BreakGlassScope.FINANCE
    return inquiry_access.open_break_glass_ids(user, scope)


def _section(kind: QueueKind, statement, order, make) -> Section:
    """One section: its first rows in `order` and a capped count of the same statement."""
    total, more = capped_count(statement, CAP)
    rows = [make(row) for row in db.session.execute(statement.order_by(*order).limit(ROWS))]
    return Section(kind, rows, total, more)


def _inquiry_columns():
    return (Inquiry.id, Inquiry.patient_name, Inquiry.status)


def billing_queue(user: User, today: date, glass_ids: frozenset[int]) -> list[Section]:
    """Billing's work queue: five sections of what is waiting for billing (read only, audited;
    `glass_ids`: the user's finance grants, `grants_for`)."""
    live = sa.and_(Inquiry.merged_into_id.is_(None), inquiry_access.visible_condition(user, glass_ids))
    sections = [
        _new_private_pay(live),
        _verifications(live, drafts=False),
        _verifications(live, drafts=True),
        _authorizations_ending(live, today),
        _installments_due(live, today),
    ]
    _audit(user, sections)
    return sections


def _new_private_pay(live) -> Section:
    """Open inquiries with no insurance and no account yet: private-pay or uninsured callers
    nobody in billing has taken up, newest first."""
    statement = sa.select(*_inquiry_columns(), Inquiry.arrived_at).where(
        live,
        Inquiry.status.in_(OPEN),
        ~sa.select(Coverage.id).where(Coverage.inquiry_id == Inquiry.id).exists(),
        ~sa.select(BillingAccount.id).where(BillingAccount.inquiry_id == Inquiry.id).exists(),
    )
    return _section(
        QueueKind.NEW_PRIVATE_PAY,
        statement,
        (Inquiry.arrived_at.desc(), Inquiry.id.desc()),
        lambda r: QueueRow(r.id, r.patient_name, r.status, r.arrived_at, "arrived"),
    )


def _verifications(live, *, drafts: bool) -> Section:
    """Verifications waiting for someone, oldest first: requests (from the web form, the API or
    staff) or drafts made from a 271 file, by their stage (discarded ones are done with).
    `confirmed_at IS NULL` keeps the partial index of migration 0016 in use."""
    statement = (
        sa.select(*_inquiry_columns(), BenefitVerification.created_at)
        .join(Coverage, Coverage.id == BenefitVerification.coverage_id)
        .join(Inquiry, Inquiry.id == Coverage.inquiry_id)
        .where(
            live,
            BenefitVerification.confirmed_at.is_(None),
            BenefitVerification.stage == (VerificationStage.DRAFT if drafts else VerificationStage.REQUESTED),
        )
    )
    label = "271 imported" if drafts else "requested"
    return _section(
        QueueKind.DRAFT_TO_REVIEW if drafts else QueueKind.VERIFICATION_REQUESTED,
        statement,
        (BenefitVerification.created_at, BenefitVerification.id),
        lambda r: QueueRow(r.id, r.patient_name, r.status, r.created_at, label),
    )


def _authorizations_ending(live, today: date) -> Section:
    """Authorizations still in play whose last covered day is within the week, soonest first."""
    statement = (
        sa.select(*_inquiry_columns(), Authorization.end_date, Authorization.level_of_care)
        .join(Inquiry, Inquiry.id == Authorization.inquiry_id)
        .where(
            live,
            Authorization.status.in_(LIVE_AUTHORIZATIONS),
            Authorization.end_date.between(today, today + timedelta(days=SOON_DAYS)),
        )
    )
    return _section(
        QueueKind.AUTHORIZATION_ENDING,
        statement,
        (Authorization.end_date, Authorization.id),
        lambda r: QueueRow(r.id, r.patient_name, r.status, r.end_date, f"{r.level_of_care.label}: last covered day"),
    )


def _installments_due(live, today: date) -> Section:
    """Unpaid installments of active plans due within the week or overdue (up to
    OVERDUE_LOOKBACK_DAYS back), soonest first. Paid means the plan's payments cover this
    installment and every earlier one (`services/plan_status.installment_unpaid`, in SQL)."""
    earlier = sa.orm.aliased(Installment)
    owed_through = (
        sa.select(sa.func.sum(earlier.amount))
        .where(earlier.plan_id == Installment.plan_id, earlier.seq <= Installment.seq)
        .scalar_subquery()
    )
    signed = sa.case((LedgerEntry.kind == LedgerKind.REFUND, -LedgerEntry.amount), else_=LedgerEntry.amount)
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(signed), 0))
        .where(
            LedgerEntry.plan_id == Installment.plan_id,
            LedgerEntry.voided_at.is_(None),
            LedgerEntry.kind.in_((LedgerKind.PAYMENT, LedgerKind.REFUND)),
        )
        .scalar_subquery()
    )
    statement = (
        sa.select(*_inquiry_columns(), Installment.due_date, Installment.amount, PaymentPlan.currency)
        .join(PaymentPlan, PaymentPlan.id == Installment.plan_id)
        .join(BillingAccount, BillingAccount.id == PaymentPlan.account_id)
        .join(Inquiry, Inquiry.id == BillingAccount.inquiry_id)
        .where(
            live,
            PaymentPlan.status == PlanStatus.ACTIVE,
            Installment.due_date.between(
                today - timedelta(days=OVERDUE_LOOKBACK_DAYS), today + timedelta(days=SOON_DAYS)
            ),
            paid < owed_through,
        )
    )

    def row(r) -> QueueRow:
        amount = money.format_money(money.quantize(Decimal(r.amount), r.currency), r.currency)
        return QueueRow(
            r.id, r.patient_name, r.status, r.due_date, f"{amount} {'overdue' if r.due_date < today else 'due'}"
        )

    return _section(QueueKind.INSTALLMENT_DUE, statement, (Installment.due_date, Installment.id), row)


def unassigned(user: User, glass_ids: frozenset[int]) -> Section:
    """Open inquiries nobody is assigned to that `user` may open (by the clinical record, or for
    billing the finances; `glass_ids` from `grants_for`), newest first (read only, audited)."""
    statement = sa.select(*_inquiry_columns(), Inquiry.arrived_at).where(
        Inquiry.merged_into_id.is_(None),
        Inquiry.assigned_to_id.is_(None),
        Inquiry.status.in_(OPEN),
        inquiry_access.visible_condition(user, glass_ids),
    )
    section = _section(
        QueueKind.UNASSIGNED,
        statement,
        (Inquiry.arrived_at.desc(), Inquiry.id.desc()),
        lambda r: QueueRow(r.id, r.patient_name, r.status, r.arrived_at, "arrived"),
    )
    _audit(user, [section])
    return section


def _audit(user: User, sections: list[Section]) -> None:
    ids = [row.inquiry_id for section in sections for row in section.rows]
    audit.record_listing(user, AuditAction.WORK_QUEUE_LISTED, "inquiry", ids)
