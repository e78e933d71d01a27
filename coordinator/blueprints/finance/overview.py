"""The finance overview of one inquiry, billing's worklist, break-the-glass for finances, and
an administrator's clearance override."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, Optional

from coordinator import security
from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.clinic import me
from coordinator.blueprints.finance import bp
from coordinator.blueprints.finance.common import READ_ROLES, inquiry_or_refuse
from coordinator.blueprints.forms import apply_errors
from coordinator.blueprints.inquiries.forms import BreakGlassForm
from coordinator.clock import clinic_today as today
from coordinator.errors import NotFound, ValidationFailed
from coordinator.extensions import db
from coordinator.roles import Role
from coordinator.services import clearance, finance_access, finance_overview, inquiries

PAGE_SIZE = 25


class WorklistForm(FlaskForm):
    class Meta:
        csrf = False

    view = SelectField("Show", choices=choices(finance_overview.VIEWS.items()), default="all", validators=[Optional()])


class OverrideForm(FlaskForm):
    override_reason = TextAreaField(
        "Reason to clear without insurance or a deposit",
        validators=[Optional(), Length(max=500)],
        render_kw={"rows": 2},
    )


@bp.route("/")
@security.roles(*READ_ROLES)
def index():
    form = WorklistForm(request.args)
    view = form.view.data if form.validate() else "all"
    page_number = request.args.get("page", 1, type=int) or 1
    page, rows = finance_overview.worklist(me(), view, max(page_number, 1), PAGE_SIZE, today())
    db.session.commit()
    return render_template(
        "finance/index.html", form=form, page=page, rows=rows, view=view, views=finance_overview.VIEWS
    )


def _render(inquiry, status: int = 200, override_form=None):
    data = finance_overview.overview(inquiry, today())
    return render_template(
        "finance/inquiry.html",
        o=data,
        inquiry=inquiry,
        can_edit=me().role in finance_access.EDITORS and inquiry.merged_into_id is None,
        is_admin=me().role is Role.ADMIN,
        override_form=override_form or OverrideForm(),
    ), status


@bp.route("/inquiry/<int:inquiry_id>")
@security.roles(*READ_ROLES)
def inquiry(inquiry_id: int):
    try:
        access = finance_access.open_for(me(), inquiry_id)
    except NotFound:
        abort(404)
    db.session.commit()
    if not access.visible:
        return _restricted(inquiry_id, BreakGlassForm(), 403)
    return _render(access.inquiry)


def _restricted(inquiry_id: int, form, status: int):
    return render_template(
        "inquiries/restricted.html",
        inquiry_id=inquiry_id,
        form=form,
        action_url=url_for("finance.break_glass", inquiry_id=inquiry_id),
        back_url=url_for("finance.index"),
    ), status


@bp.route("/inquiry/<int:inquiry_id>/break-glass", methods=["POST"])
@security.roles(*READ_ROLES)
def break_glass(inquiry_id: int):
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            inquiries.break_glass(me(), inquiry_id, form.reason.data, current_app.config["BREAK_GLASS_HOURS"])
        except NotFound:
            abort(404)
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Access granted and recorded. Administrators review every break-the-glass access.", "warning")
            return redirect(url_for("finance.inquiry", inquiry_id=inquiry_id))
    return _restricted(inquiry_id, form, 400)


@bp.route("/inquiry/<int:inquiry_id>/override", methods=["POST"])
@security.roles(Role.ADMIN)
def override(inquiry_id: int):
    inquiry = inquiry_or_refuse(inquiry_id, edit=True, purpose="opened_for_override")
    if inquiry is None:
        return redirect(url_for("finance.inquiry", inquiry_id=inquiry_id))
    form = OverrideForm()
    if form.validate_on_submit():
        try:
            clearance.grant_override(me(), inquiry, form.override_reason.data)
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Override recorded: the person is cleared to admit.", "success")
            return redirect(url_for("finance.inquiry", inquiry_id=inquiry_id))
    return _render(inquiry, 400, override_form=form)
