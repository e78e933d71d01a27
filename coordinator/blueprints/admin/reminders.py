"""Admin pages for reminders: what is pending, sent, stuck or failed; retry and cancel; queues and
workers; and who the clinical lead is. Reminder texts here name no patient: "an inquiry needs
first contact" and a link to the record, which applies its own access rules."""

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.clinic_details import settings_page
from coordinator.blueprints.admin.reminder_forms import (
    CancelReminderForm,
    ClinicalLeadForm,
    ReminderActionForm,
    ReminderFilterForm,
    RoundRobinForm,
)
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.blueprints.navigation import is_safe_next
from coordinator.clock import clinic_zone
from coordinator.domain.audit import AuditAction
from coordinator.models import utcnow
from coordinator.roles import Role
from coordinator.services import audit, clinical_lead, reminder_admin, speed_to_lead

PAGE_SIZE = 50


def _lease() -> timedelta:
    return timedelta(seconds=current_app.config["REMINDER_LEASE_SECONDS"])


def _back(target: str | None) -> str:
    """Back to the list with its filters; anything but a path to that list goes to the plain list."""
    home = url_for("admin.reminders_list")
    if target and is_safe_next(target) and target.split("?", 1)[0] == home:
        return target
    return home


def _form_problems(form) -> str:
    """Each field's messages, named by its label: "Due from: Enter the start date as a real date ..." """
    return " ".join(
        f"{form[name].label.text}: {message}" if name in form else message
        for name, messages in form.errors.items()
        for message in messages
    )


@bp.route("/reminders")
@security.roles(Role.ADMIN)
def reminders_list():
    form = ReminderFilterForm(request.args)
    filters = form.filters()
    if form.errors:
        flash(f"Some filters were not understood and were ignored. {_form_problems(form)}", "warning")
        form = ReminderFilterForm(formdata=None)
    now = utcnow()
    audit.record(me(), AuditAction.REMINDERS_LISTED, "reminder", None)
    return render_template(
        "admin/reminders.html",
        form=form,
        page=reminder_admin.search(filters, PAGE_SIZE, now=now, lease=_lease(), zone=clinic_zone()),
        counts=reminder_admin.status_counts(),
        problems=reminder_admin.problem_counts(now, _lease()),
        pending_grace=reminder_admin.PENDING_GRACE,
        now=now,
        queues=reminder_admin.queue_overview(current_app.config.get("REDIS_URL"), now),
        action_form=ReminderActionForm(back=request.full_path.rstrip("?")),
        cancel_form=CancelReminderForm(),
    )


@bp.route("/reminders/<int:reminder_id>/retry", methods=["POST"])
@security.roles(Role.ADMIN)
def retry_reminder(reminder_id: int):
    reminder = reminder_admin.load_reminder(reminder_id)
    form = ReminderActionForm()
    if form.validate_on_submit() and submit(form, reminder_admin.retry, me(), reminder):
        flash(f"Reminder #{reminder_id} is due again now and will be sent shortly.", "success")
    elif form.errors:
        flash(_form_problems(form), "warning")
    return redirect(_back(form.back.data))


@bp.route("/reminders/<int:reminder_id>/cancel", methods=["POST"])
@security.roles(Role.ADMIN)
def cancel_reminder(reminder_id: int):
    reminder = reminder_admin.load_reminder(reminder_id)
    form = CancelReminderForm()
    if form.validate_on_submit() and submit(form, reminder_admin.cancel, me(), reminder):
        flash(f"Reminder #{reminder_id} cancelled; it will not be sent.", "success")
    else:
        flash(f"Reminder #{reminder_id} was not cancelled. {_form_problems(form)}", "warning")
    return redirect(_back(form.back.data))


@bp.route("/reminders/settings", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def reminder_settings():
    form = ClinicalLeadForm.for_lead(
        clinical_lead.current(), clinical_lead.candidates(), submitted=request.method == "POST"
    )
    if form.validate_on_submit() and (lead := submit(form, clinical_lead.choose, me())):
        flash(f"Safety flags now go to {lead.who}.", "success")
        return redirect(url_for("admin.reminder_settings"))
    return settings_page(lead_form=form, status=400 if form.errors else 200)


@bp.route("/reminders/round-robin", methods=["POST"])
@security.roles(Role.ADMIN)
def round_robin():
    form = RoundRobinForm()
    if not form.validate_on_submit() or form.enabled.data not in ("on", "off"):
        flash("The round-robin was not changed: please try again.", "warning")
        return redirect(url_for("admin.reminder_settings"))
    speed_to_lead.set_round_robin(me(), form.enabled.data == "on")
    flash(f"Round-robin assignment of new web and API inquiries is {form.enabled.data}.", "success")
    return redirect(url_for("admin.reminder_settings"))
