"""Billing's search: find a person by name, phone, member id or account number, whether or not
they have insurance or an account yet, and open their finance page.

Only inquiries the reader may open the finances of are found (a restricted record the reader
may not open never matches: that it did would tell its name, phone or member id). The matches
are a UNION of index lookups (trigram name and phone-digit indexes, the member-id index, the
account's primary key), and the results are keyset pages, newest arrival first, with a capped
count: a page runs the same statements however many people there are.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from coordinator.contracts.finance_search import FinanceSearch
from coordinator.contracts.values import compact_identifier
from coordinator.domain.audit import AuditAction
from coordinator.domain.intake import BreakGlassScope
from coordinator.models import BillingAccount, Coverage, Inquiry, User
from coordinator.services import audit, inquiry_access, records
from coordinator.services.pagination import Part, SeekPage, capped_count, seek
from coordinator.services.user_directory import escape_like

SORT = "finance_search"
MIN_DIGITS = 4  # fewer digits than this would match half the phone book
_ACCOUNT = re.compile(r"#?\s*(\d{1,10})")


def _matching_ids(text: str):
    """A UNION of the inquiry ids each kind of term finds, or None when nothing can match."""
    folded = " ".join(text.casefold().split())
    pattern = f"%{escape_like(folded)}%"
    selects = [
        sa.select(Inquiry.id).where(Inquiry.patient_name_key.like(pattern, escape="\\")),
        sa.select(Inquiry.id).where(Inquiry.caller_name_key.like(pattern, escape="\\")),
    ]
    digits = "".join(ch for ch in folded if ch.isdigit())
    if len(digits) >= MIN_DIGITS:
        selects += [
            sa.select(Inquiry.id).where(Inquiry.patient_phone_digits.like(f"%{digits}%")),
            sa.select(Inquiry.id).where(Inquiry.caller_phone_digits.like(f"%{digits}%")),
        ]
    member_id = compact_identifier(text)
    if member_id:
        selects.append(sa.select(Coverage.inquiry_id).where(Coverage.member_id.in_({member_id, member_id.upper()})))
    account = _ACCOUNT.fullmatch(text.strip())
    if account and records.valid_id(int(account.group(1))):
        selects.append(sa.select(BillingAccount.inquiry_id).where(BillingAccount.id == int(account.group(1))))
    return sa.union(*selects)


def search(user: User, data: FinanceSearch, per_page: int) -> tuple[SeekPage | None, list[Inquiry]]:
    """One page of the people matching `data.q` whose finances `user` may open, newest first
    (None before anything was typed); audited as one row naming the inquiries shown."""
    if not data.q or not data.q.strip():
        return None, []
    glass = inquiry_access.open_break_glass_ids(user, BreakGlassScope.FINANCE)
    statement = sa.select(Inquiry).where(
        Inquiry.merged_into_id.is_(None),
        inquiry_access.visible_condition(user, glass),
        Inquiry.id.in_(_matching_ids(data.q)),
    )
    part = Part(
        "visible",
        statement,
        ((Inquiry.arrived_at, True), (Inquiry.id, True)),
        lambda i: (i.arrived_at, i.id),
        ("time", "id"),
    )
    page = seek([part], data.cursor, per_page, sort=SORT, total=capped_count(statement))
    first = 1 if page.first is None else None
    audit.record_listing(user, AuditAction.FINANCE_SEARCHED, "inquiry", (i.id for i in page.items), page=first)
    return page, page.items
