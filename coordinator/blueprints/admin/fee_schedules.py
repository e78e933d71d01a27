"""Admin pages for private-pay fee schedules: one per program and currency."""

from flask import abort, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.fee_schedule_forms import FeeScheduleForm
from coordinator.blueprints.clinic import me as _me
from coordinator.blueprints.forms import apply_errors
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.roles import Role
from coordinator.rules import money
from coordinator.services import fee_schedules, programs


def _form_data(form: FeeScheduleForm) -> dict:
    return {
        "program_id": form.program_id.data,
        "amount": form.amount.data,
        "currency": form.currency.data,
        "period": form.period.data,
        "includes": form.includes.data,
        "billed_separately": form.billed_separately.data,
        "is_active": form.is_active.data,
    }


def _program_choices(current=None) -> list[tuple[str, str]]:
    offered = programs.active_programs()
    if current is not None and current.id not in {p.id for p in offered}:
        offered.append(current)
    return [("", "— choose a program —")] + [
        (str(p.id), p.name + ("" if p.is_active else " (closed)")) for p in offered
    ]


def _amount_text(schedule) -> str:
    """The stored amount as the form shows it: "280,000.00"."""
    return f"{money.quantize(schedule.amount, schedule.currency):,.{money.currency(schedule.currency).minor_units}f}"


@bp.route("/fee-schedules")
@security.roles(Role.ADMIN)
def fee_schedules_list():
    return render_template(
        "admin/fee_schedules.html", schedules=fee_schedules.all_schedules(), money=money.format_money
    )


@bp.route("/fee-schedules/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_fee_schedule():
    form = FeeScheduleForm()
    form.program_id.choices = _program_choices()
    if request.method == "GET":
        form.includes.data = fee_schedules.DEFAULT_INCLUDES
        form.billed_separately.data = fee_schedules.DEFAULT_BILLED_SEPARATELY
    elif form.validate_on_submit():
        try:
            fee_schedules.create_schedule(_me(), _form_data(form))
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Fee schedule added.", "success")
            return redirect(url_for("admin.fee_schedules_list"))
    return render_template(
        "admin/fee_schedule_form.html", form=form, schedule=None
    ), 400 if request.method == "POST" else 200


@bp.route("/fee-schedules/<int:schedule_id>", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def edit_fee_schedule(schedule_id: int):
    schedule = fee_schedules.load(schedule_id)
    if schedule is None:
        abort(404)
    form = FeeScheduleForm(obj=schedule) if request.method == "GET" else FeeScheduleForm()
    form.program_id.choices = _program_choices(schedule.program)
    if request.method == "GET":
        form.program_id.data = str(schedule.program_id)
        form.amount.data = _amount_text(schedule)
        form.period.data = schedule.period.value
    elif form.validate_on_submit():
        try:
            fee_schedules.update_schedule(_me(), schedule, _form_data(form))
        except ValidationFailed as failure:
            db.session.rollback()
            schedule = fee_schedules.load(schedule_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Fee schedule saved. Quotes already issued keep their terms.", "success")
            return redirect(url_for("admin.fee_schedules_list"))
    return render_template(
        "admin/fee_schedule_form.html", form=form, schedule=schedule
    ), 400 if request.method == "POST" else 200
