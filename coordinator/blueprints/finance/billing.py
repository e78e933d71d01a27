"""Private-pay views: the account (ledger with running balance, quotes, plans), its changes, and
the printable statement. Services validate and audit; views shape input and commit once.

A change that the service refuses is undone with a savepoint, so the audit row of the read that
showed the form again is kept; the form comes back with the reasons and a 400.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.clinic import me as _me
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
from coordinator.blueprints.finance.common import EDIT_ROLES, READ_ROLES, inquiry_or_refuse
from coordinator.blueprints.forms import apply_errors
from coordinator.clock import clinic_today as _today
from coordinator.errors import NotFound, ValidationFailed
from coordinator.extensions import db
from coordinator.rules.money import format_money
from coordinator.services import billing, finance_access

STATUS_BADGES = {
    "paid": ("Paid", "text-bg-success"),
    "partly_paid": ("Partly paid", "text-bg-info"),
    "due": ("Due", "text-bg-secondary"),
    "overdue": ("Overdue", "text-bg-danger"),
}


def _refused(inquiry_id: int):
    return redirect(url_for("finance.inquiry", inquiry_id=inquiry_id))


def _to_account(inquiry_id: int, anchor: str = ""):
    return redirect(url_for("finance.account", inquiry_id=inquiry_id) + anchor)


def _attempt(operation):
    """Run one service call in a savepoint: (result, None), or (None, failure) with nothing changed."""
    try:
        with db.session.begin_nested():
            return operation(), None
    except ValidationFailed as failure:
        return None, failure


def _amount_text(amount, code: str) -> str:
    """An amount as a form field shows it: "180,000.00"."""
    return format_money(amount, code).rsplit(" ", 1)[0]


def _context(**extra) -> dict:
    return {"money": format_money, "badges": STATUS_BADGES, **extra}


def _editable_account(inquiry_id: int):
    """(inquiry, account) for a change, or a redirect: refused, or no account opened yet."""
    inquiry = inquiry_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _refused(inquiry_id)
    account = billing.account_for(inquiry)
    if account is None:
        db.session.commit()
        flash("Open a private-pay account for this inquiry first.", "warning")
        return _to_account(inquiry_id)
    return inquiry, account


def _render_account(inquiry, status: int = 200, **forms):
    account = billing.account_for(inquiry)
    view = billing.ledger_view(account, _today()) if account is not None else None
    db.session.commit()  # keep the audit row of the read
    user = _me()
    context = {
        "open_form": OpenAccountForm(formdata=None),
        "confirm": ConfirmForm(formdata=None),
        "void_form": VoidForm(formdata=None),
        "cancel_form": CancelPlanForm(formdata=None),
    }
    context.update(forms)
    return render_template(
        "finance/account.html",
        **_context(
            inquiry=inquiry,
            account=account,
            view=view,
            today=_today(),
            can_edit=user.role in finance_access.EDITORS and inquiry.merged_into_id is None,
            **context,
        ),
    ), status


# --- the account ----------------------------------------------------------------------------------------


@bp.route("/inquiry/<int:inquiry_id>/account")
@security.roles(*READ_ROLES)
def account(inquiry_id: int):
    inquiry = inquiry_or_refuse(inquiry_id, purpose="account_viewed")
    if inquiry is None:
        return _refused(inquiry_id)
    return _render_account(inquiry)


@bp.route("/inquiry/<int:inquiry_id>/account/open", methods=["POST"])
@security.roles(*EDIT_ROLES)
def open_account(inquiry_id: int):
    inquiry = inquiry_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _refused(inquiry_id)
    form = OpenAccountForm()
    if form.validate_on_submit():
        opened, failure = _attempt(lambda: billing.open_account(_me(), inquiry, form.currency.data))
        if failure is None:
            db.session.commit()
            flash(f"Private-pay account opened in {opened.currency}.", "success")
            return _to_account(inquiry_id)
        apply_errors(form, failure)
    return _render_account(inquiry, 400, open_form=form)


@bp.route("/inquiry/<int:inquiry_id>/statement")
@security.roles(*READ_ROLES)
def statement(inquiry_id: int):
    inquiry = inquiry_or_refuse(inquiry_id, purpose="statement_viewed")
    if inquiry is None:
        return _refused(inquiry_id)
    account = billing.account_for(inquiry)
    if account is None:
        db.session.commit()
        flash("There is no private-pay account for this inquiry yet, so no statement.", "warning")
        return _to_account(inquiry_id)
    view = billing.ledger_view(account, _today())
    db.session.commit()
    return render_template(
        "finance/statement.html",
        **_context(
            inquiry=inquiry,
            account=account,
            view=view,
            today=_today(),
            clinic_name=current_app.config.get("CLINIC_NAME") or "Coordinator",
        ),
    )


# --- quotes -----------------------------------------------------------------------------------------------


@bp.route("/inquiry/<int:inquiry_id>/account/quotes/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_quote(inquiry_id: int):
    loaded = _editable_account(inquiry_id)
    if not isinstance(loaded, tuple):
        return loaded
    inquiry, account = loaded
    options = billing.quote_options(account)
    form = QuoteForm()
    form.program_id.choices = [("", "— choose a program —")] + [
        (str(program.id), f"{program.name}: {format_money(schedule.amount, schedule.currency)} {schedule.period.label}")
        for program, schedule in options
    ]
    if request.method == "GET":
        form.currency.data = account.currency
        form.valid_until.data = _today() + timedelta(days=30)
    elif form.validate_on_submit():
        _, failure = _attempt(
            lambda: billing.issue_quote(
                _me(),
                account,
                form.program_id.data,
                form.quantity.data,
                form.valid_until.data,
                form.notes.data,
                _today(),
                currency=form.currency.data or None,
            )
        )
        if failure is None:
            db.session.commit()
            flash("Quote issued.", "success")
            return _to_account(inquiry_id, "#quotes")
        apply_errors(form, failure)
    db.session.commit()
    return render_template(
        "finance/quote_form.html", **_context(form=form, inquiry=inquiry, account=account, options=options)
    ), 400 if request.method == "POST" else 200


def _quote_decision(quote_id: int, operation, success: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)  # no valid CSRF token
    try:
        quote = billing.load_quote(quote_id)
        inquiry_id = billing.account_by_id(quote.account_id).inquiry_id
    except NotFound:
        abort(404)
    inquiry = inquiry_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _refused(inquiry_id)
    _, failure = _attempt(lambda: operation(quote))
    db.session.commit()
    if failure is None:
        flash(success, "success")
    else:
        flash(failure.message, "danger")
    return _to_account(inquiry_id, "#quotes")


@bp.route("/quotes/<int:quote_id>/accept", methods=["POST"])
@security.roles(*EDIT_ROLES)
def accept_quote(quote_id: int):
    return _quote_decision(
        quote_id,
        lambda quote: billing.accept_quote(_me(), quote, _today()),
        "Quote accepted; its total is charged as a program fee.",
    )


@bp.route("/quotes/<int:quote_id>/withdraw", methods=["POST"])
@security.roles(*EDIT_ROLES)
def withdraw_quote(quote_id: int):
    return _quote_decision(quote_id, lambda quote: billing.withdraw_quote(_me(), quote), "Quote withdrawn.")


# --- charges, payments, refunds -----------------------------------------------------------------------


def _plan_label(plan, code: str) -> str:
    return (
        f"Plan #{plan.id}: {plan.installment_count} × {plan.frequency.label.lower()}, "
        f"{format_money(plan.total, code)} from {plan.first_due.strftime('%d %b %Y')}"
        + ("" if plan.status.value == "active" else " (cancelled)")
    )


def _entry_page(inquiry_id: int, form_class, kind: str, operation, success: str, plans: str | None = None):
    loaded = _editable_account(inquiry_id)
    if not isinstance(loaded, tuple):
        return loaded
    inquiry, account = loaded
    form = form_class()
    if plans is not None:
        form.plan_id.choices = [("", "— not toward a plan —")] + [
            (str(plan.id), _plan_label(plan, account.currency))
            for plan in billing.plans_of(account, active_only=plans == "active")
        ]
    refundable = billing.refundable_of(account) if kind == "refund" else None
    if request.method == "GET":
        form.currency.data = account.currency
        form.entry_date.data = _today()
    elif form.validate_on_submit():
        _, failure = _attempt(lambda: operation(account, form))
        if failure is None:
            db.session.commit()
            flash(success, "success")
            return _to_account(inquiry_id, "#ledger")
        apply_errors(form, failure)
    db.session.commit()
    return render_template(
        "finance/entry_form.html",
        **_context(form=form, kind=kind, inquiry=inquiry, account=account, refundable=refundable),
    ), 400 if request.method == "POST" else 200


@bp.route("/inquiry/<int:inquiry_id>/account/charges/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_charge(inquiry_id: int):
    def operation(account, form):
        return billing.add_charge(
            _me(),
            account,
            form.category.data,
            form.amount.data,
            form.entry_date.data,
            form.description.data,
            form.reference.data,
            currency=form.currency.data or None,
            today=_today(),
        )

    return _entry_page(inquiry_id, ChargeForm, "charge", operation, "Charge added.")


@bp.route("/inquiry/<int:inquiry_id>/account/payments/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_payment(inquiry_id: int):
    def operation(account, form):
        return billing.record_payment(
            _me(),
            account,
            form.amount.data,
            form.entry_date.data,
            form.method.data,
            form.reference.data,
            form.is_deposit.data,
            form.plan_id.data or None,
            description=form.description.data,
            currency=form.currency.data or None,
            today=_today(),
        )

    return _entry_page(inquiry_id, PaymentForm, "payment", operation, "Payment recorded.", plans="active")


@bp.route("/inquiry/<int:inquiry_id>/account/refunds/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_refund(inquiry_id: int):
    def operation(account, form):
        return billing.record_refund(
            _me(),
            account,
            form.amount.data,
            form.entry_date.data,
            form.method.data,
            form.reference.data,
            form.plan_id.data or None,
            description=form.description.data,
            currency=form.currency.data or None,
            today=_today(),
        )

    return _entry_page(inquiry_id, RefundForm, "refund", operation, "Refund recorded.", plans="all")


@bp.route("/entries/<int:entry_id>/void", methods=["POST"])
@security.roles(*EDIT_ROLES)
def void_entry(entry_id: int):
    try:
        entry = billing.load_entry(entry_id)
        inquiry_id = billing.account_by_id(entry.account_id).inquiry_id
    except NotFound:
        abort(404)
    inquiry = inquiry_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _refused(inquiry_id)
    form = VoidForm()
    if form.validate_on_submit():
        _, failure = _attempt(lambda: billing.void_entry(_me(), entry, form.reason.data))
        if failure is None:
            db.session.commit()
            flash("Entry voided. It stays on the ledger, struck through, and no longer counts.", "success")
            return _to_account(inquiry_id, "#ledger")
        apply_errors(form, failure)
    entry = billing.load_entry(entry_id)
    db.session.commit()
    return render_template("finance/billing_void.html", **_context(form=form, inquiry=inquiry, entry=entry)), 400


# --- payment plans ------------------------------------------------------------------------------------


@bp.route("/inquiry/<int:inquiry_id>/account/plans/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new_plan(inquiry_id: int):
    loaded = _editable_account(inquiry_id)
    if not isinstance(loaded, tuple):
        return loaded
    inquiry, account = loaded
    balance = billing.balance_of(account)
    form = PlanForm()
    if request.method == "GET":
        form.currency.data = account.currency
        form.total.data = _amount_text(balance, account.currency) if balance > 0 else ""
        form.first_due.data = _today()
    elif form.validate_on_submit():
        _, failure = _attempt(
            lambda: billing.create_plan(
                _me(),
                account,
                form.total.data,
                form.count.data,
                form.frequency.data,
                form.first_due.data,
                form.notes.data,
                _today(),
                currency=form.currency.data or None,
            )
        )
        if failure is None:
            db.session.commit()
            flash("Payment plan set up. Billing is reminded of any installment left unpaid.", "success")
            return _to_account(inquiry_id, "#plans")
        apply_errors(form, failure)
    db.session.commit()
    return render_template(
        "finance/plan_form.html", **_context(form=form, inquiry=inquiry, account=account, balance=balance)
    ), 400 if request.method == "POST" else 200


@bp.route("/plans/<int:plan_id>/cancel", methods=["POST"])
@security.roles(*EDIT_ROLES)
def cancel_plan(plan_id: int):
    try:
        plan = billing.load_plan(plan_id)
        inquiry_id = billing.account_by_id(plan.account_id).inquiry_id
    except NotFound:
        abort(404)
    inquiry = inquiry_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return _refused(inquiry_id)
    form = CancelPlanForm()
    if form.validate_on_submit():
        _, failure = _attempt(lambda: billing.cancel_plan(_me(), plan, form.reason.data))
        if failure is None:
            db.session.commit()
            flash("Payment plan cancelled; its reminders are cancelled too.", "success")
            return _to_account(inquiry_id, "#plans")
        apply_errors(form, failure)
    plan = billing.load_plan(plan_id)
    db.session.commit()
    return render_template(
        "finance/billing_cancel_plan.html", **_context(form=form, inquiry=inquiry, plan=plan, currency=plan.currency)
    ), 400
