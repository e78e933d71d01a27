"""Admin pages for programs (reference data) and the break-the-glass review log."""

from flask import current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.forms import ConfirmForm, press_button
from coordinator.blueprints.admin.program_forms import BreakGlassFilterForm, ProgramForm
from coordinator.blueprints.clinic import me
from coordinator.blueprints.filters import read_filters
from coordinator.blueprints.forms import submit
from coordinator.contracts.admin import BreakGlassShow
from coordinator.domain.audit import AuditAction
from coordinator.roles import Role
from coordinator.rules import asam
from coordinator.services import audit, break_glass, programs


@bp.route("/programs")
@security.roles(Role.ADMIN)
def programs_list():
    return render_template("admin/programs.html", programs=programs.all_programs(), census=programs.census(), asam=asam)


@bp.route("/programs/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_program():
    form = ProgramForm()
    if form.validate_on_submit() and submit(form, programs.create_program, me()):
        flash("Program added.", "success")
        return redirect(url_for("admin.programs_list"))
    return render_template("admin/program_form.html", form=form, program=None), 400 if form.errors else 200


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def edit_program(program_id: int):
    program = programs.load(program_id)
    form = ProgramForm(obj=program) if request.method == "GET" else ProgramForm()
    if form.validate_on_submit() and submit(form, programs.update_program, me(), program):
        flash("Program saved.", "success")
        return redirect(url_for("admin.programs_list"))
    return render_template("admin/program_form.html", form=form, program=program), 400 if form.errors else 200


@bp.route("/break-glass")
@security.roles(Role.ADMIN)
def break_glass_log():
    form, criteria = read_filters(BreakGlassFilterForm)
    unreviewed_only = criteria.show == BreakGlassShow.UNREVIEWED
    page = break_glass.log(criteria.cursor, current_app.config["AUDIT_PAGE_SIZE"], unreviewed_only)
    # The log itself lives with the break-the-glass service, which does not audit reading it.
    audit.record(me(), AuditAction.BREAK_GLASS_LOG_VIEWED, "break_glass_access", None)
    return render_template("admin/break_glass.html", form=form, page=page, confirm=ConfirmForm())


@bp.route("/break-glass/<int:grant_id>/reviewed", methods=["POST"])
@security.roles(Role.ADMIN)
def review_break_glass(grant_id: int):
    press_button(ConfirmForm(), break_glass.mark_reviewed, me(), grant_id, done="Marked as reviewed.")
    return redirect(url_for("admin.break_glass_log"))
