"""Admin pages for private-pay fee schedules: one per program and currency."""

from flask import flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.fee_schedule_forms import FeeScheduleForm
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.roles import Role
from coordinator.rules import money
from coordinator.services import fee_schedules, programs


def _program_choices(current=None) -> list[tuple[str, str]]:
    offered = programs.active_programs()
    if current is not None and current.id not in {p.id for p in offered}:
        offered.append(current)
    return [("", "— choose a program —")] + [
        (str(p.id), p.name + ("" if p.is_active else " (closed)")) for p in offered
    ]


@bp.route("/fee-schedules")
@security.roles(Role.ADMIN)
def fee_schedules_list():
    return render_template(
        "admin/fee_schedules.html", schedules=fee_schedules.all_schedules(), money=money.format_money
    )


@bp.route("/fee-schedules/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_fee_schedule():
    if request.method == "GET":
        form = FeeScheduleForm(
            includes=fee_schedules.DEFAULT_INCLUDES, billed_separately=fee_schedules.DEFAULT_BILLED_SEPARATELY
        )
    else:
        form = FeeScheduleForm()
    form.program_id.choices = _program_choices()
    if form.validate_on_submit() and submit(form, fee_schedules.create_schedule, me()):
        flash("Fee schedule added.", "success")
        return redirect(url_for("admin.fee_schedules_list"))
    return render_template("admin/fee_schedule_form.html", form=form, schedule=None), 400 if form.errors else 200


@bp.route("/fee-schedules/<int:schedule_id>", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def edit_fee_schedule(schedule_id: int):
    schedule = fee_schedules.load(schedule_id)
    form = FeeScheduleForm.for_schedule(schedule) if request.method == "GET" else FeeScheduleForm()
    form.program_id.choices = _program_choices(schedule.program)
    if form.validate_on_submit() and submit(form, fee_schedules.update_schedule, me(), schedule):
        flash("Fee schedule saved. Quotes already issued keep their terms.", "success")
        return redirect(url_for("admin.fee_schedules_list"))
    return render_template("admin/fee_schedule_form.html", form=form, schedule=schedule), 400 if form.errors else 200
