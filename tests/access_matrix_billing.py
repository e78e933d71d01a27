"""Matrix rows for private pay (fee schedules, accounts, quotes, ledger, plans, statement); merged into tests/access_matrix.MATRIX."""

from __future__ import annotations

from tests.access_matrix import ADMIN, FINANCE_EDITORS, FINANCE_READERS, Access

ACCOUNT = "/finance/inquiry/{inquiry}/account"

BILLING_MATRIX: dict = {
    ("admin.fee_schedules_list", "GET"): Access(ADMIN, "/admin/fee-schedules", expect=200),
    ("admin.new_fee_schedule", "GET"): Access(ADMIN, "/admin/fee-schedules/new", expect=200),
    ("admin.new_fee_schedule", "POST"): Access(ADMIN, "/admin/fee-schedules/new", expect=400, data={"amount": ""}),
    ("admin.edit_fee_schedule", "GET"): Access(ADMIN, "/admin/fee-schedules/{fee_schedule}", expect=200),
    ("admin.edit_fee_schedule", "POST"): Access(
        ADMIN, "/admin/fee-schedules/{fee_schedule}", expect=400, data={"amount": ""}
    ),
    ("finance.account", "GET"): Access(FINANCE_READERS, ACCOUNT, expect=200),
    # The inquiry already has an account: a second one is refused with the form shown again.
    ("finance.open_account", "POST"): Access(FINANCE_EDITORS, ACCOUNT + "/open", expect=400, data={"currency": "USD"}),
    ("finance.statement", "GET"): Access(FINANCE_READERS, "/finance/inquiry/{inquiry}/statement", expect=200),
    ("finance.print_quote", "GET"): Access(FINANCE_READERS, "/finance/quotes/{billing_quote}/print", expect=200),
    ("finance.new_quote", "GET"): Access(FINANCE_EDITORS, ACCOUNT + "/quotes/new", expect=200),
    ("finance.new_quote", "POST"): Access(FINANCE_EDITORS, ACCOUNT + "/quotes/new", expect=400, data={"quantity": "0"}),
    ("finance.accept_quote", "POST"): Access(FINANCE_EDITORS, "/finance/quotes/{billing_quote}/accept", expect=302),
    ("finance.withdraw_quote", "POST"): Access(FINANCE_EDITORS, "/finance/quotes/{billing_quote}/withdraw", expect=302),
    ("finance.new_charge", "GET"): Access(FINANCE_EDITORS, ACCOUNT + "/charges/new", expect=200),
    ("finance.new_charge", "POST"): Access(FINANCE_EDITORS, ACCOUNT + "/charges/new", expect=400, data={"amount": ""}),
    ("finance.new_payment", "GET"): Access(FINANCE_EDITORS, ACCOUNT + "/payments/new", expect=200),
    ("finance.new_payment", "POST"): Access(
        FINANCE_EDITORS, ACCOUNT + "/payments/new", expect=400, data={"amount": ""}
    ),
    ("finance.new_refund", "GET"): Access(FINANCE_EDITORS, ACCOUNT + "/refunds/new", expect=200),
    ("finance.new_refund", "POST"): Access(FINANCE_EDITORS, ACCOUNT + "/refunds/new", expect=400, data={"amount": ""}),
    ("finance.void_entry", "POST"): Access(
        FINANCE_EDITORS, "/finance/entries/{billing_entry}/void", expect=400, data={"reason": ""}
    ),
    ("finance.new_plan", "GET"): Access(FINANCE_EDITORS, ACCOUNT + "/plans/new", expect=200),
    ("finance.new_plan", "POST"): Access(FINANCE_EDITORS, ACCOUNT + "/plans/new", expect=400, data={"total": ""}),
    ("finance.cancel_plan", "POST"): Access(
        FINANCE_EDITORS, "/finance/plans/{billing_plan}/cancel", expect=400, data={"reason": ""}
    ),
}
