"""Admin pages for reminders: what is pending, sent, stuck or failed; retry and cancel; queues and
workers; and who the clinical lead is. Reminder texts here name no patient: "an inquiry needs
first contact" and a link to the record, which applies its own access rules."""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.forms import choices
from coordinator.blueprints.admin.reminder_forms import (
    CancelReminderForm,
    ClinicalLeadForm,
    ReminderActionForm,
    ReminderFilterForm,
)
from coordinator.blueprints.clinic import me as _me
from coordinator.blueprints.forms import apply_errors
from coordinator.blueprints.navigation import is_safe_next
from coordinator.clock import clinic_zone as _zone
from coordinator.domain.audit import AuditAction
from coordinator.errors import NotFound, ValidationFailed
from coordinator.extensions import db
from coordinator.models import utcnow
from coordinator.outbox.queues import QUEUES
from coordinator.roles import Role
from coordinator.services import audit, reminder_admin, reminders

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
    """Each field's messages, named by its label: "Due from: Not a valid date value." """
    return " ".join(
        f"{form[name].label.text}: {message}" if name in form else message
        for name, messages in form.errors.items()
        for message in messages
    )


@bp.route("/reminders")
@security.roles(Role.ADMIN)
def reminders_list():
    form = ReminderFilterForm(request.args)
    if not form.validate():
        flash(f"Some filters were not understood and were ignored. {_form_problems(form)}", "warning")
        form = ReminderFilterForm(formdata=None)
    now = utcnow()
    page = reminder_admin.search(
        reminder_admin.ReminderFilters.from_form(form.data),
        form.page.data or 1,
        PAGE_SIZE,
        now=now,
        lease=_lease(),
        zone=_zone(),
    )
    audit.record(_me(), AuditAction.REMINDERS_LISTED, "reminder", None)
    db.session.commit()
    return render_template(
        "admin/reminders.html",
        form=form,
        page=page,
        counts=reminder_admin.status_counts(),
        problems=reminder_admin.problem_counts(now, _lease()),
        now=now,
        queues=reminder_admin.queue_overview(current_app.config.get("REDIS_URL"), QUEUES, now),
        action_form=ReminderActionForm(back=request.full_path.rstrip("?")),
        cancel_form=CancelReminderForm(),
    )


@bp.route("/reminders/<int:reminder_id>/retry", methods=["POST"])
@security.roles(Role.ADMIN)
def retry_reminder(reminder_id: int):
    form = ReminderActionForm()
    if form.validate_on_submit():
        try:
            reminders.retry(_me(), reminder_id)
        except NotFound:
            abort(404)
        except ValidationFailed as refusal:
            db.session.rollback()
            flash(refusal.message, "warning")
        else:
            db.session.commit()
            flash(f"Reminder #{reminder_id} is due again now and will be sent shortly.", "success")
    return redirect(_back(form.back.data))


@bp.route("/reminders/<int:reminder_id>/cancel", methods=["POST"])
@security.roles(Role.ADMIN)
def cancel_reminder(reminder_id: int):
    form = CancelReminderForm()
    if not form.validate_on_submit():
        flash(f"Reminder #{reminder_id} was not cancelled. {_form_problems(form)}", "warning")
        return redirect(_back(form.back.data))
    try:
        reminders.cancel(_me(), reminder_id, form.reason.data)
    except NotFound:
        abort(404)
    except ValidationFailed as refusal:
        db.session.rollback()
        flash(f"Reminder #{reminder_id} was not cancelled. {refusal.message}", "warning")
    else:
        db.session.commit()
        flash(f"Reminder #{reminder_id} cancelled; it will not be sent.", "success")
    return redirect(_back(form.back.data))


@bp.route("/reminders/settings", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def reminder_settings():
    lead = reminder_admin.clinical_lead()
    form = ClinicalLeadForm(
        data={"choice": lead.choice, "role": lead.role.value, "user_id": str(lead.user.id) if lead.user else ""}
    )
    form.user_id.choices = choices(
        [("", "— choose a person —")]
        + [(str(u.id), f"{u.full_name} ({u.role.label})") for u in reminder_admin.lead_candidates()]
    )
    if form.validate_on_submit():
        try:
            lead = reminder_admin.set_clinical_lead(
                _me(), choice=form.choice.data, user_id=form.user_id.data, role=form.role.data
            )
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            who = lead.user.full_name if lead.user else f"everyone active in the role {lead.role.label}"
            flash(f"Safety flags now go to {who}.", "success")
            return redirect(url_for("admin.reminder_settings"))
    return render_template(
        "admin/reminder_settings.html",
        form=form,
        lead=reminder_admin.clinical_lead(),
        role_counts=reminder_admin.active_counts_by_role(),
    ), 400 if form.errors else 200
