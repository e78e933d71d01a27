"""Private-pay views: the account (ledger with running balance, quotes, plans), its changes, and
the printable statement. Each view loads (`finance_access.require` refuses with the 403 page),
calls one service through `submit` and redirects; the request commits once, after the view.

A change the service refuses is undone by `submit` (a savepoint), so the audit row of the read
that showed the form again is kept; the form comes back with the reasons and a 400.
"""

from __future__ import annotations

from functools import wraps

from flask import flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin.fee_schedule_forms import amount_text
from coordinator.blueprints.clinic import me
from coordinator.blueprints.finance import bp
from coordinator.blueprints.finance.billing_forms import (
    CancelPlanForm,
    ChargeForm,
    ConfirmForm,
    OpenAccountForm,
    PaymentForm,
    PlanForm,
    QuoteForm,
    RefundForm,
    VoidForm,
)
from coordinator.blueprints.finance.common import EDIT_ROLES, READ_ROLES
from coordinator.blueprints.forms import submit
from coordinator.clock import clinic_today
from coordinator.rules.money import format_money
from coordinator.rules.payment_plan_lifecycle import takes_payments
from coordinator.services import billing_accounts, clinic_details, finance_access, ledger, payment_plans, quotes

STATUS_BADGES = {
    "paid": ("Paid", "text-bg-success"),
    "partly_paid": ("Partly paid", "text-bg-info"),
    "due": ("Due", "text-bg-secondary"),
    "overdue": ("Overdue", "text-bg-danger"),
}


def _to_account(inquiry_id: int, anchor: str = ""):
    return redirect(url_for("finance.account", inquiry_id=inquiry_id) + anchor)


def _context(**extra) -> dict:
    return {"money": format_money, "badges": STATUS_BADGES, **extra}


def _form(form_class, **defaults):
    """The form, filled with `defaults` when the page is first shown."""
    return form_class(**defaults) if request.method == "GET" else form_class()


def _status(form) -> int:
    return 400 if form.errors else 200


def _opened_for_change(record):
    """The inquiry a quote, entry or plan belongs to, opened for a change (403 if not allowed)."""
    inquiry_id = billing_accounts.inquiry_id_of(record)
    return finance_access.require(me(), inquiry_id, edit=True, purpose="opened_for_change")


def with_account(view):
    """A change page: the view gets the inquiry (opened for a change) and its account; without
    an account, back to the account page, which offers to open one."""

    @wraps(view)
    def load(inquiry_id: int):
        inquiry = finance_access.require(me(), inquiry_id, edit=True, purpose="opened_for_change")
        account = billing_accounts.account_for(inquiry)
        if account is None:
            flash("Open a private-pay account for this inquiry first.", "warning")
            return _to_account(inquiry_id)
        return view(inquiry, account)

    return load


def _render_account(inquiry, status: int = 200, **forms):
    account = billing_accounts.account_for(inquiry)
    today = clinic_today()
    blank = {"open_form": OpenAccountForm, "confirm": ConfirmForm, "void_form": VoidForm, "cancel_form": CancelPlanForm}
    return render_template(
        "finance/account.html",
        **_context(
            inquiry=inquiry,
            account=account,
            view=ledger.ledger_view(account, today) if account is not None else None,
            may=finance_access.permissions(me(), inquiry),
            **{name: forms[name] if name in forms else form(formdata=None) for name, form in blank.items()},
        ),
    ), status


# --- the account ----------------------------------------------------------------------------------------


@bp.route("/inquiry/<int:inquiry_id>/account")
@security.roles(*READ_ROLES)
def account(inquiry_id: int):
    return _render_account(finance_access.require(me(), inquiry_id, purpose="account_viewed"))


@bp.route("/inquiry/<int:inquiry_id>/account/open", methods=["POST"])
@security.roles(*EDIT_ROLES)
def open_account(inquiry_id: int):
    inquiry = finance_access.require(me(), inquiry_id, edit=True, purpose="opened_for_change")
    form = OpenAccountForm()
    if form.validate_on_submit() and (opened := submit(form, billing_accounts.open_account, me(), inquiry)):
        flash(f"Private-pay account opened in {opened.currency}.", "success")
        return _to_account(inquiry_id)
    return _render_account(inquiry, 400, open_form=form)


@bp.route("/inquiry/<int:inquiry_id>/statement")
@security.roles(*READ_ROLES)
def statement(inquiry_id: int):
    inquiry = finance_access.require(me(), inquiry_id, purpose="statement_viewed")
    account = billing_accounts.account_for(inquiry)
    if account is None:
        flash("There is no private-pay account for this inquiry yet, so no statement.", "warning")
        return _to_account(inquiry_id)
    today = clinic_today()
    return render_template(
        "finance/statement.html",
        **_context(
            inquiry=inquiry,
            account=account,
            view=ledger.ledger_view(account, today),
            today=today,
            clinic=clinic_details.current(),
        ),
    )


# --- quotes -----------------------------------------------------------------------------------------------


def _program_choices(options) -> list[tuple[str, str]]:
    return [("", "— choose a program —")] + [
        (str(program.id), f"{program.name}: {format_money(schedule.amount, schedule.currency)} {schedule.period.label}")
        for program, schedule in options
    ]


@bp.route("/inquiry/<int:inquiry_id>/account/quotes/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
@with_account
def new_quote(inquiry, account):
    options = quotes.quote_options(account)
    form = _form(QuoteForm, currency=account.currency, valid_until=quotes.default_valid_until().isoformat())
    form.program_id.choices = _program_choices(options)
    if form.validate_on_submit() and submit(form, quotes.issue_quote, me(), account):
        flash("Quote issued.", "success")
        return _to_account(inquiry.id, "#quotes")
    return render_template(
        "finance/quote_form.html", **_context(form=form, inquiry=inquiry, account=account, options=options)
    ), _status(form)


def _decide(quote_id: int, operation, success: str):
    """Accept or withdraw a quote; a refusal (decided already, expired) is flashed on the account."""
    quote = quotes.load_quote(quote_id)
    inquiry = _opened_for_change(quote)
    form = ConfirmForm()
    if form.validate_on_submit() and submit(form, operation, me(), quote):
        flash(success, "success")
    else:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "danger")
    return _to_account(inquiry.id, "#quotes")


@bp.route("/quotes/<int:quote_id>/accept", methods=["POST"])
@security.roles(*EDIT_ROLES)
def accept_quote(quote_id: int):
    return _decide(quote_id, quotes.accept_quote, "Quote accepted; its total is charged as a program fee.")


@bp.route("/quotes/<int:quote_id>/withdraw", methods=["POST"])
@security.roles(*EDIT_ROLES)
def withdraw_quote(quote_id: int):
    return _decide(quote_id, quotes.withdraw_quote, "Quote withdrawn.")


# --- charges, payments, refunds -----------------------------------------------------------------------


def _plan_choices(plans, code: str) -> list[tuple[str, str]]:
    return [("", "— not toward a plan —")] + [
        (
            str(plan.id),
            f"Plan #{plan.id}: {plan.installment_count} × {plan.frequency.label.lower()}, "
            f"{format_money(plan.total, code)} from {plan.first_due.strftime('%d %b %Y')}"
            + ("" if takes_payments(plan.status) else " (cancelled)"),
        )
        for plan in plans
    ]


def _entry_form(form_class, account):
    return _form(form_class, currency=account.currency, entry_date=clinic_today().isoformat())


def _entry_page(form, kind: str, inquiry, account, refundable=None):
    return render_template(
        "finance/entry_form.html",
        **_context(form=form, kind=kind, inquiry=inquiry, account=account, refundable=refundable),
    ), _status(form)


@bp.route("/inquiry/<int:inquiry_id>/account/charges/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
@with_account
def new_charge(inquiry, account):
    form = _entry_form(ChargeForm, account)
    if form.validate_on_submit() and submit(form, ledger.add_charge, me(), account):
        flash("Charge added.", "success")
        return _to_account(inquiry.id, "#ledger")
    return _entry_page(form, "charge", inquiry, account)


@bp.route("/inquiry/<int:inquiry_id>/account/payments/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
@with_account
def new_payment(inquiry, account):
    form = _entry_form(PaymentForm, account)
    form.plan_id.choices = _plan_choices(payment_plans.plans_of(account, active_only=True), account.currency)
    if form.validate_on_submit() and submit(form, ledger.record_payment, me(), account):
        flash("Payment recorded.", "success")
        return _to_account(inquiry.id, "#ledger")
    return _entry_page(form, "payment", inquiry, account)


@bp.route("/inquiry/<int:inquiry_id>/account/refunds/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
@with_account
def new_refund(inquiry, account):
    form = _entry_form(RefundForm, account)
    form.plan_id.choices = _plan_choices(payment_plans.plans_of(account), account.currency)
    if form.validate_on_submit() and submit(form, ledger.record_refund, me(), account):
        flash("Refund recorded.", "success")
        return _to_account(inquiry.id, "#ledger")
    return _entry_page(form, "refund", inquiry, account, billing_accounts.refundable_of(account))


@bp.route("/entries/<int:entry_id>/void", methods=["POST"])
@security.roles(*EDIT_ROLES)
def void_entry(entry_id: int):
    entry = ledger.load_entry(entry_id)
    inquiry = _opened_for_change(entry)
    form = VoidForm()
    if form.validate_on_submit() and submit(form, ledger.void_entry, me(), entry):
        flash("Entry voided. It stays on the ledger, struck through, and no longer counts.", "success")
        return _to_account(inquiry.id, "#ledger")
    return render_template("finance/billing_void.html", **_context(form=form, inquiry=inquiry, entry=entry)), 400


# --- payment plans ------------------------------------------------------------------------------------


@bp.route("/inquiry/<int:inquiry_id>/account/plans/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
@with_account
def new_plan(inquiry, account):
    balance = billing_accounts.balance_of(account)
    proposed = amount_text(balance, account.currency) if balance > 0 else ""  # spread what is owed
    form = _form(PlanForm, currency=account.currency, total=proposed, first_due=clinic_today().isoformat())
    if form.validate_on_submit() and submit(form, payment_plans.create_plan, me(), account):
        flash("Payment plan set up. Billing is reminded of any installment left unpaid.", "success")
        return _to_account(inquiry.id, "#plans")
    return render_template(
        "finance/plan_form.html", **_context(form=form, inquiry=inquiry, account=account, balance=balance)
    ), _status(form)


@bp.route("/plans/<int:plan_id>/cancel", methods=["POST"])
@security.roles(*EDIT_ROLES)
def cancel_plan(plan_id: int):
    plan = payment_plans.load_plan(plan_id)
    inquiry = _opened_for_change(plan)
    form = CancelPlanForm()
    if form.validate_on_submit() and submit(form, payment_plans.cancel_plan, me(), plan):
        flash("Payment plan cancelled; its reminders are cancelled too.", "success")
        return _to_account(inquiry.id, "#plans")
    return render_template(
        "finance/billing_cancel_plan.html",
        **_context(form=form, inquiry=inquiry, plan=plan, can_cancel=payment_plans.can_cancel(plan)),
    ), 400
