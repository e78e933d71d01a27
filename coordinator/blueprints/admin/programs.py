"""Admin pages for programs (reference data) and the break-the-glass review log."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.forms import ConfirmForm
from coordinator.blueprints.admin.program_forms import BreakGlassFilterForm, ProgramForm
from coordinator.blueprints.clinic import me as _me
from coordinator.blueprints.forms import apply_errors
from coordinator.domain.audit import AuditAction
from coordinator.errors import NotFound, ValidationFailed
from coordinator.extensions import db
from coordinator.models import Program
from coordinator.roles import Role
from coordinator.rules import asam
from coordinator.services import audit, inquiries, programs


def _form_data(form: ProgramForm) -> dict:
    return {
        "name": form.name.data,
        "level_of_care": form.level_of_care.data,
        "asam_edition": form.asam_edition.data,
        "asam_level": form.asam_level.data,
        "capacity": form.capacity.data,
        "is_active": form.is_active.data,
    }


@bp.route("/programs")
@security.roles(Role.ADMIN)
def programs_list():
    return render_template("admin/programs.html", programs=programs.all_programs(), census=programs.census(), asam=asam)


@bp.route("/programs/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_program():
    form = ProgramForm()
    if form.validate_on_submit():
        try:
            programs.create_program(_me(), _form_data(form))
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Program added.", "success")
            return redirect(url_for("admin.programs_list"))
    return render_template("admin/program_form.html", form=form, program=None), 400 if form.errors else 200


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def edit_program(program_id: int):
    program = db.session.get(Program, program_id)
    if program is None:
        abort(404)
    form = ProgramForm(obj=program)
    if request.method == "GET":
        form.level_of_care.data = program.level_of_care.value
        form.asam_edition.data = program.asam_edition.value
    if form.validate_on_submit():
        try:
            programs.update_program(_me(), program, _form_data(form))
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Program saved.", "success")
            return redirect(url_for("admin.programs_list"))
    return render_template("admin/program_form.html", form=form, program=program), 400 if form.errors else 200


@bp.route("/break-glass")
@security.roles(Role.ADMIN)
def break_glass_log():
    form = BreakGlassFilterForm(request.args)
    if not form.validate():
        form = BreakGlassFilterForm(formdata=None)
    page = inquiries.break_glass_log(
        form.page.data or 1,
        current_app.config["AUDIT_PAGE_SIZE"],
        unreviewed_only=(form.show.data or "unreviewed") == "unreviewed",
    )
    audit.record(_me(), AuditAction.BREAK_GLASS_LOG_VIEWED, "break_glass_access", None)
    db.session.commit()
    return render_template("admin/break_glass.html", form=form, page=page, confirm=ConfirmForm())


@bp.route("/break-glass/<int:grant_id>/reviewed", methods=["POST"])
@security.roles(Role.ADMIN)
def review_break_glass(grant_id: int):
    if ConfirmForm().validate_on_submit():
        try:
            inquiries.mark_break_glass_reviewed(_me(), grant_id)
        except NotFound:
            abort(404)
        db.session.commit()
        flash("Marked as reviewed.", "success")
    return redirect(url_for("admin.break_glass_log"))
