"""The finance overview of one inquiry, billing's worklist, break-the-glass for finances, and
an administrator's clearance override."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Optional

from coordinator import security
from coordinator.blueprints import glass
from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.clinic import me
from coordinator.blueprints.finance import bp
from coordinator.blueprints.finance.common import READ_ROLES
from coordinator.blueprints.finance.search import FinanceSearchForm
from coordinator.blueprints.forms import ContractForm, submit
from coordinator.clock import clinic_today
from coordinator.contracts.clearance import REASON_LIMIT, ClearanceOverrideInput
from coordinator.contracts.values import cursor as cursor_values
from coordinator.domain.intake import BreakGlassScope
from coordinator.roles import Role
from coordinator.services import clearance, finance_access, finance_overview

PAGE_SIZE = 25


class WorklistForm(FlaskForm):
    class Meta:
        csrf = False

    view = SelectField("Show", choices=choices(finance_overview.VIEWS.items()), default="all", validators=[Optional()])


class OverrideForm(ContractForm):
    contract = ClearanceOverrideInput

    override_reason = TextAreaField(
        "Reason to clear without insurance or a deposit", render_kw={"rows": 2, "maxlength": REASON_LIMIT}
    )


@bp.route("/")
@security.roles(*READ_ROLES)
def index():
    form = WorklistForm(request.args)
    view = form.view.data if form.validate() else "all"
    cursor = cursor_values.read(request.args.get("cursor"))  # a damaged link shows the first page
    page, rows = finance_overview.worklist(me(), view, cursor, PAGE_SIZE, clinic_today())
    return render_template(
        "finance/index.html",
        form=form,
        page=page,
        rows=rows,
        view=view,
        views=finance_overview.VIEWS,
        search_form=FinanceSearchForm(formdata=None),
    )


def _render(inquiry, status: int = 200, override_form=None):
    return render_template(
        "finance/inquiry.html",
        o=finance_overview.overview(inquiry, clinic_today()),
        inquiry=inquiry,
        may=finance_access.permissions(me(), inquiry),
        override_form=override_form or OverrideForm(formdata=None),
    ), status


@bp.route("/inquiry/<int:inquiry_id>")
@security.roles(*READ_ROLES)
def inquiry(inquiry_id: int):
    # The one finance page that answers a restricted record itself: it offers break-the-glass.
    access = finance_access.open_for(me(), inquiry_id)
    if not access.visible:
        return glass.restricted_page(inquiry_id, BreakGlassScope.FINANCE, 403)
    return _render(access.inquiry)


@bp.route("/inquiry/<int:inquiry_id>/break-glass", methods=["POST"])
@security.roles(*READ_ROLES)
def break_glass(inquiry_id: int):
    return glass.post(inquiry_id, BreakGlassScope.FINANCE)


@bp.route("/inquiry/<int:inquiry_id>/override", methods=["POST"])
@security.roles(Role.ADMIN)
def override(inquiry_id: int):
    inquiry = finance_access.require(me(), inquiry_id, edit=True, purpose="opened_for_override")
    form = OverrideForm()
    if form.validate_on_submit() and submit(form, clearance.grant_override, me(), inquiry):
        flash("Override recorded: the person is cleared to admit.", "success")
        return redirect(url_for("finance.inquiry", inquiry_id=inquiry_id))
    return _render(inquiry, 400, override_form=form)
