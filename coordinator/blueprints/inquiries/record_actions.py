"""Changes made from an inquiry's record page: status, calls, emails, notes, tasks, duplicates
and merges. Each posts one form to one service; a refused form shows the page again with the
form open and its problems beside its fields."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import apply_errors, submit
from coordinator.blueprints.inquiries import bp
from coordinator.blueprints.inquiries.forms import (
    CallForm,
    ConfirmForm,
    EmailForm,
    MergeForm,
    NoteForm,
    RescheduleForm,
    TaskForm,
)
from coordinator.blueprints.inquiries.forms import TransitionForm as _TransitionForm
from coordinator.blueprints.inquiries.views import EDIT_ROLES, program_choices, render_detail
from coordinator.contracts.pipeline import MergeInput
from coordinator.errors import DomainError, ValidationFailed
from coordinator.rules.merge import Keep
from coordinator.services import inquiry_access, merges, pipeline, tasks


def _record(inquiry_id: int) -> str:
    return url_for("inquiries.detail", inquiry_id=inquiry_id)


def _act(inquiry_id: int, form_name: str, form, operation, success):
    """Run one change from the record page; on bad input show the page again with the errors."""
    inquiry = inquiry_access.require_visible(me(), inquiry_id, edit=True, purpose="opened_for_change")
    if form.validate_on_submit() and submit(form, operation, me(), inquiry):
        flash(success(inquiry) if callable(success) else success, "success")
        return redirect(_record(inquiry_id) + "#timeline")
    return render_detail(inquiry, 400, **{form_name: form, "failed_action": form_name})


@bp.route("/<int:inquiry_id>/status", methods=["POST"])
@security.roles(*EDIT_ROLES)
def change_status(inquiry_id: int):
    form = _TransitionForm()
    form.program_id.choices = program_choices("—")
    return _act(
        inquiry_id, "transition_form", form, pipeline.transition, lambda i: f"Status is now “{i.status.label}”."
    )


@bp.route("/<int:inquiry_id>/calls", methods=["POST"])
@security.roles(*EDIT_ROLES)
def log_call(inquiry_id: int):
    return _act(inquiry_id, "call_form", CallForm(), pipeline.log_call, "Call logged.")


@bp.route("/<int:inquiry_id>/emails", methods=["POST"])
@security.roles(*EDIT_ROLES)
def log_email(inquiry_id: int):
    return _act(inquiry_id, "email_form", EmailForm(), pipeline.log_email, "Email logged.")


@bp.route("/<int:inquiry_id>/notes", methods=["POST"])
@security.roles(*EDIT_ROLES)
def add_note(inquiry_id: int):
    return _act(inquiry_id, "note_form", NoteForm(), pipeline.add_note, "Note added.")


@bp.route("/<int:inquiry_id>/tasks", methods=["POST"])
@security.roles(*EDIT_ROLES)
def add_task(inquiry_id: int):
    form = TaskForm()  # its choices are set when the page is shown again (who may open the record)
    return _act(inquiry_id, "task_form", form, tasks.create_task, "Task added.")


def _back_from_task(task) -> str:
    """Home when asked, else the page the user opens the task's record by (billing: its finances)."""
    if request.form.get("return_to") == "home":
        return url_for("main.home")
    if tasks.opens_record_by(me()) == "finance":
        return url_for("finance.inquiry", inquiry_id=task.inquiry_id)
    return _record(task.inquiry_id)


# Any staff member may hold a task; the service lets its holder and those who work inquiries
# change it, and answers anyone else as if the task did not exist.
@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
@security.any_staff
def complete_task(task_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise DomainError("This form has expired. Reload the page and try again.")
    task = tasks.complete_task(me(), task_id)
    flash("Task marked done.", "success")
    return redirect(_back_from_task(task))


@bp.route("/tasks/<int:task_id>/reschedule", methods=["POST"])
@security.any_staff
def reschedule_task(task_id: int):
    task = tasks.load_task_for(me(), task_id)
    form = RescheduleForm()
    if form.validate_on_submit() and submit(form, tasks.reschedule_task, me(), task):
        flash("Task moved; its reminders moved with it.", "success")
        return redirect(_back_from_task(task))
    # The form lives in "My tasks" on the home page: say there what was wrong.
    flash(" ".join(message for messages in form.errors.values() for message in messages), "danger")
    return redirect(url_for("main.home"))


@bp.route("/<int:inquiry_id>/duplicates/<int:flag_id>/dismiss", methods=["POST"])
@security.roles(*EDIT_ROLES)
def dismiss_duplicate(inquiry_id: int, flag_id: int):
    inquiry = inquiry_access.require_visible(me(), inquiry_id, edit=True, purpose="opened_for_change")
    if ConfirmForm().validate_on_submit():
        merges.dismiss_duplicate(me(), inquiry, flag_id)
        flash("Marked as a different person.", "success")
    return redirect(_record(inquiry_id))


@bp.route("/<int:inquiry_id>/merge", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def merge(inquiry_id: int):
    """The merge page (GET ?survivor_id=N): the two records side by side, what differs with a
    choice for each, what moves, and why a merge would be refused; POST merges."""
    inquiry = inquiry_access.require_visible(me(), inquiry_id, edit=True, purpose="opened_for_change")
    if request.method == "GET":
        form = MergeForm(formdata=None, survivor_id=request.args.get("survivor_id", ""))
    else:
        form = MergeForm()
        if form.validate_on_submit() and (survivor := submit(form, merges.merge, me(), inquiry)):
            flash(f"Inquiry #{inquiry_id} merged into this one. Everything it held moved here.", "success")
            return redirect(_record(survivor.id))
    return _merge_page(inquiry, form)


def _merge_page(inquiry, form: MergeForm):
    """The comparison for the inquiry in the form, or the record page with the form's problems
    when there is nothing to compare with."""
    try:
        data = MergeInput.parse({"survivor_id": form.survivor_id.data})
        plan = merges.plan(me(), inquiry, data.survivor_id)
    except ValidationFailed as failure:
        if not form.errors:
            apply_errors(form, failure)
        return render_detail(inquiry, 400, merge_form=form, failed_action="merge_form")
    if request.method == "GET":
        for difference in plan.differences:
            getattr(form, f"keep_{difference.field.name}").data = difference.default.value
    status = 400 if request.method == "POST" else 200
    return render_template("inquiries/merge.html", inquiry=inquiry, plan=plan, form=form, Keep=Keep), status
