"""Views of the admissions pipeline. Services validate and audit; views shape and commit."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.clinic import me as _me
from coordinator.blueprints.forms import apply_errors
from coordinator.blueprints.inquiries import bp
from coordinator.blueprints.inquiries.forms import (
    BreakGlassForm,
    CallForm,
    ConfirmForm,
    EmailForm,
    InquiryFilterForm,
    InquiryForm,
    MergeForm,
    NoteForm,
    RescheduleForm,
    TaskForm,
    TransitionForm,
)
from coordinator.clock import as_utc as _aware
from coordinator.clock import clinic_today as _today
from coordinator.clock import clinic_zone as _zone
from coordinator.domain.intake import Channel
from coordinator.errors import NotFound, NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.models import utcnow
from coordinator.roles import Role
from coordinator.rules import inquiry_lifecycle as lifecycle
from coordinator.services import clearance, finance_access, inquiries, intake, programs, screenings, tasks

READ_ROLES = tuple(inquiries.READERS)
EDIT_ROLES = tuple(inquiries.EDITORS)
BLANK_REGIMEN_ROWS = 4


def _assignee_choices(blank: str = "— nobody yet —") -> list[tuple[str, str]]:
    return [("", blank)] + [(str(u.id), u.full_name) for u in inquiries.assignable_users()]


def _intake_data(form: InquiryForm) -> dict:
    data = {name: request.form.get(name) for name in intake.TEXT_LIMITS}
    for name in (
        "caller_relationship",
        "preferred_contact",
        "patient_sex",
        "referral_source",
        "urgency",
        "patient_dob",
    ):
        data[name] = request.form.get(name) or None
    data["may_leave_message"] = form.may_leave_message.data
    data["is_restricted"] = form.is_restricted.data
    data["substances"] = request.form.getlist("substances")
    data["regimen"], numbers = intake.regimen_rows_from_form(request.form)
    data["assigned_to_id"] = _int_or_none(request.form.get("assigned_to_id"))
    return data, numbers


def _int_or_none(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdecimal() and len(value) < 10 else None


def _regimen_rows(source=None, regimen=None) -> list[dict]:
    """Rows for the regimen fields: what was posted, or the saved regimen, plus blank rows."""
    rows = []
    if source is not None:
        _, numbers = intake.regimen_rows_from_form(source)
        count = max([n + 1 for n in numbers] + [0])
        for i in range(count):
            rows.append({f: source.get(f"regimen-{i}-{f}", "") for f in intake.REGIMEN_ROW_FIELDS})
    elif regimen:
        rows = [
            {
                "drug": line.drug,
                "dose": f"{line.dose.normalize():f}",
                "unit": line.unit,
                "doses_per_day": line.doses_per_day or "",
                "purpose": line.purpose,
            }
            for line in regimen
        ]
    rows += [{f: "" for f in intake.REGIMEN_ROW_FIELDS} for _ in range(max(BLANK_REGIMEN_ROWS - len(rows), 1))]
    return rows


def _regimen_errors(failure: ValidationFailed | None) -> dict[str, str]:
    if failure is None:
        return {}
    return {field: message for field, message in failure.reasons if field and field.startswith("regimen")}


# --- list and intake ---------------------------------------------------------------------------


@bp.route("/")
@security.roles(*READ_ROLES)
def index():
    form = InquiryFilterForm(request.args)
    form.assignee.choices = [("", "Anyone"), ("me", "Me"), ("none", "Nobody")] + _assignee_choices()[1:]
    if not form.validate():
        flash("Some filters were not understood and were ignored.", "warning")
        form = InquiryFilterForm(formdata=None)
        form.assignee.choices = [("", "Anyone")]
    filters = inquiries.InquiryFilters(
        q=form.q.data,
        status=form.status.data or None,
        source=form.source.data or None,
        assignee=form.assignee.data or None,
        arrived_from=form.arrived_from.data,
        arrived_to=form.arrived_to.data,
        sort=form.sort.data or "newest",
        page=form.page.data or 1,
    )
    page, rows = inquiries.search(_me(), filters, current_app.config["INQUIRIES_PAGE_SIZE"], _zone())
    db.session.commit()
    return render_template(
        "inquiries/index.html", form=form, page=page, rows=rows, can_create=_me().role in inquiries.EDITORS
    )


@bp.route("/new", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def new():
    form = InquiryForm()
    form.assigned_to_id.choices = _assignee_choices()
    failure = None
    if request.method == "GET":
        form.assigned_to_id.data = str(_me().id) if _me().role in (Role.ADMISSIONS, Role.CASE_MANAGER) else ""
    elif form.validate_on_submit():
        data, numbers = _intake_data(form)
        try:
            inquiry = intake.create_inquiry(
                _me(), data, channel=Channel.PHONE, today=_today(), assigned_to_id=data["assigned_to_id"]
            )
        except ValidationFailed as error:
            db.session.rollback()
            failure = intake.renumber_regimen_errors(error, numbers)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Inquiry saved. Screen the patient or log your next step below.", "success")
            return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "inquiries/form.html",
        form=form,
        inquiry=None,
        regimen=_regimen_rows(request.form if request.method == "POST" else None),
        regimen_errors=_regimen_errors(failure),
    ), status


# --- one inquiry --------------------------------------------------------------------------------


def _forms(**overrides) -> dict:
    user_choices = _assignee_choices("— choose —")[1:]
    task = TaskForm(formdata=None)
    task.assigned_to_id.choices = user_choices
    task.assigned_to_id.data = str(_me().id)
    transition = TransitionForm(formdata=None)
    transition.program_id.choices = [("", "— choose a program —")] + [
        (str(p.id), p.name) for p in programs.active_programs()
    ]
    forms = {
        "call_form": CallForm(formdata=None),
        "email_form": EmailForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "task_form": task,
        "transition_form": transition,
        "merge_form": MergeForm(formdata=None),
        "confirm": ConfirmForm(),
        "failed_action": None,
    }
    forms.update(overrides)
    return forms


def _render_detail(inquiry, status: int = 200, **overrides):
    user = _me()
    context = _forms(**overrides)
    return render_template(
        "inquiries/detail.html",
        inquiry=inquiry,
        timeline=inquiries.timeline(inquiry),
        tasks=tasks.tasks_for(inquiry),
        duplicates=inquiries.duplicates_of(inquiry),
        admission=inquiries.admission_of(inquiry),
        screening_latest=screenings.latest_for(inquiry.id),
        actions=lifecycle.allowed_actions(inquiry.status) if inquiry.merged_into_id is None else (),
        can_edit=user.role in inquiries.EDITORS and inquiry.merged_into_id is None,
        first_contact=inquiries.time_to_first_contact(inquiry),
        lifecycle=lifecycle,
        clearance=clearance.clearance_for(inquiry, _today()),
        can_see_finances=user.role in finance_access.READERS,
        now=utcnow(),
        **context,
    ), status


def _visible_or_refuse(inquiry_id: int, *, edit: bool = False, purpose: str = "viewed"):
    try:
        return inquiries.require_visible(_me(), inquiry_id, purpose=purpose, edit=edit)
    except NotFound:
        abort(404)
    except NotPermitted as refusal:
        db.session.commit()  # keep the audit row of the refusal
        flash(refusal.message, "danger")
        return None


@bp.route("/<int:inquiry_id>")
@security.roles(*READ_ROLES)
def detail(inquiry_id: int):
    try:
        access = inquiries.open_for(_me(), inquiry_id)
    except NotFound:
        abort(404)
    db.session.commit()
    if not access.visible:
        return render_template("inquiries/restricted.html", inquiry_id=inquiry_id, form=BreakGlassForm()), 403
    return _render_detail(access.inquiry)


@bp.route("/<int:inquiry_id>/break-glass", methods=["POST"])
@security.roles(*READ_ROLES)
def break_glass(inquiry_id: int):
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            inquiries.break_glass(_me(), inquiry_id, form.reason.data, current_app.config["BREAK_GLASS_HOURS"])
        except NotFound:
            abort(404)
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Access granted and recorded. Administrators review every break-the-glass access.", "warning")
            return redirect(url_for("inquiries.detail", inquiry_id=inquiry_id))
    return render_template("inquiries/restricted.html", inquiry_id=inquiry_id, form=form), 400


@bp.route("/<int:inquiry_id>/edit", methods=["GET", "POST"])
@security.roles(*EDIT_ROLES)
def edit(inquiry_id: int):
    inquiry = _visible_or_refuse(inquiry_id, edit=True, purpose="opened_for_edit")
    if inquiry is None:
        return redirect(url_for("inquiries.detail", inquiry_id=inquiry_id))
    form = InquiryForm(obj=inquiry) if request.method == "GET" else InquiryForm()
    form.assigned_to_id.choices = _assignee_choices()
    failure = None
    if request.method == "GET":
        form.assigned_to_id.data = str(inquiry.assigned_to_id or "")
        form.patient_dob.data = inquiry.patient_dob.isoformat() if inquiry.patient_dob else ""
        form.referrer_name.data = inquiry.referrer.name if inquiry.referrer else ""
        form.referrer_organization.data = inquiry.referrer.organization if inquiry.referrer else ""
        form.referrer_phone.data = inquiry.referrer.phone if inquiry.referrer else ""
        form.referrer_email.data = inquiry.referrer.email if inquiry.referrer else ""
        db.session.commit()
    elif form.validate_on_submit():
        data, numbers = _intake_data(form)
        try:
            intake.update_inquiry(_me(), inquiry, data, today=_today())
        except ValidationFailed as error:
            db.session.rollback()
            failure = intake.renumber_regimen_errors(error, numbers)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Changes saved.", "success")
            return redirect(url_for("inquiries.detail", inquiry_id=inquiry.id))
    rows = (
        _regimen_rows(request.form)
        if request.method == "POST"
        else _regimen_rows(regimen=inquiries.regimen_of(inquiry))
    )
    return render_template(
        "inquiries/form.html", form=form, inquiry=inquiry, regimen=rows, regimen_errors=_regimen_errors(failure)
    ), 400 if request.method == "POST" else 200


def _act(inquiry_id: int, form_name: str, form, operation, success: str):
    """Run one change from the record page; on bad input show the page again with the errors."""
    inquiry = _visible_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return redirect(url_for("inquiries.detail", inquiry_id=inquiry_id))
    if form.validate_on_submit():
        try:
            operation(inquiry, form)
        except ValidationFailed as failure:
            db.session.rollback()
            inquiry = inquiries.load(inquiry_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash(success(inquiry) if callable(success) else success, "success")
            return redirect(url_for("inquiries.detail", inquiry_id=inquiry_id) + "#timeline")
    return _render_detail(inquiry, 400, **{form_name: form, "failed_action": form_name})


@bp.route("/<int:inquiry_id>/status", methods=["POST"])
@security.roles(*EDIT_ROLES)
def change_status(inquiry_id: int):
    form = TransitionForm()
    form.program_id.choices = [("", "—")] + [(str(p.id), p.name) for p in programs.active_programs()]

    def operation(inquiry, form):
        inquiries.transition(
            _me(),
            inquiry,
            form.action.data,
            form.reason.data,
            referred_out_to=form.referred_out_to.data,
            program_id=_int_or_none(form.program_id.data),
            admit_date=form.admit_date.data,
            today=_today(),
            override_reason=form.override_reason.data,
        )

    return _act(
        inquiry_id, "transition_form", form, operation, lambda inquiry: f"Status is now “{inquiry.status.label}”."
    )


@bp.route("/<int:inquiry_id>/calls", methods=["POST"])
@security.roles(*EDIT_ROLES)
def log_call(inquiry_id: int):
    def operation(inquiry, form):
        inquiries.log_call(
            _me(),
            inquiry,
            direction=form.direction.data,
            outcome=form.outcome.data,
            duration_minutes=form.duration_minutes.data,
            note=form.note.data,
            occurred_at=_aware(form.occurred_at.data) or utcnow(),
        )

    return _act(inquiry_id, "call_form", CallForm(), operation, "Call logged.")


@bp.route("/<int:inquiry_id>/emails", methods=["POST"])
@security.roles(*EDIT_ROLES)
def log_email(inquiry_id: int):
    def operation(inquiry, form):
        inquiries.log_email(
            _me(),
            inquiry,
            direction=form.direction.data,
            note=form.note.data,
            occurred_at=_aware(form.occurred_at.data) or utcnow(),
        )

    return _act(inquiry_id, "email_form", EmailForm(), operation, "Email logged.")


@bp.route("/<int:inquiry_id>/notes", methods=["POST"])
@security.roles(*EDIT_ROLES)
def add_note(inquiry_id: int):
    return _act(
        inquiry_id,
        "note_form",
        NoteForm(),
        lambda inquiry, form: inquiries.add_note(_me(), inquiry, form.note.data),
        "Note added.",
    )


@bp.route("/<int:inquiry_id>/tasks", methods=["POST"])
@security.roles(*EDIT_ROLES)
def add_task(inquiry_id: int):
    form = TaskForm()
    form.assigned_to_id.choices = _assignee_choices("— choose —")

    def operation(inquiry, form):
        tasks.create_task(
            _me(),
            inquiry,
            title=form.title.data,
            due_at=_aware(form.due_at.data),
            assigned_to_id=_int_or_none(form.assigned_to_id.data),
        )

    return _act(inquiry_id, "task_form", form, operation, "Task added.")


@bp.route("/tasks/<int:task_id>/done", methods=["POST"])
@security.roles(*EDIT_ROLES)
def complete_task(task_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        task = tasks.complete_task(_me(), task_id)
    except NotFound:
        abort(404)
    except NotPermitted as refusal:
        db.session.commit()
        flash(refusal.message, "danger")
        return redirect(url_for("main.home"))
    db.session.commit()
    flash("Task marked done.", "success")
    target = request.form.get("return_to")
    if target == "home":
        return redirect(url_for("main.home"))
    return redirect(url_for("inquiries.detail", inquiry_id=task.inquiry_id))


@bp.route("/tasks/<int:task_id>/reschedule", methods=["POST"])
@security.roles(*EDIT_ROLES)
def reschedule_task(task_id: int):
    form = RescheduleForm()
    if not form.validate_on_submit():
        abort(400)  # a missing CSRF token or a value that is not a date and time
    try:
        task = tasks.reschedule_task(_me(), task_id, _aware(form.due_at.data))
    except NotFound:
        abort(404)
    except (NotPermitted, ValidationFailed) as refusal:
        db.session.rollback()
        flash(refusal.message, "danger")
        return redirect(url_for("main.home"))
    db.session.commit()
    flash("Task moved; its reminders moved with it.", "success")
    return redirect(url_for("inquiries.detail", inquiry_id=task.inquiry_id))


@bp.route("/<int:inquiry_id>/duplicates/<int:flag_id>/dismiss", methods=["POST"])
@security.roles(*EDIT_ROLES)
def dismiss_duplicate(inquiry_id: int, flag_id: int):
    inquiry = _visible_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is not None and ConfirmForm().validate_on_submit():
        try:
            inquiries.dismiss_duplicate(_me(), inquiry, flag_id)
        except NotFound:
            abort(404)
        db.session.commit()
        flash("Marked as a different person.", "success")
    return redirect(url_for("inquiries.detail", inquiry_id=inquiry_id))


@bp.route("/<int:inquiry_id>/merge", methods=["POST"])
@security.roles(*EDIT_ROLES)
def merge(inquiry_id: int):
    form = MergeForm()
    inquiry = _visible_or_refuse(inquiry_id, edit=True, purpose="opened_for_change")
    if inquiry is None:
        return redirect(url_for("inquiries.detail", inquiry_id=inquiry_id))
    if form.validate_on_submit():
        try:
            survivor = inquiries.merge(_me(), inquiry, form.survivor_id.data)
        except (ValidationFailed, NotFound, NotPermitted) as failure:
            db.session.rollback()
            inquiry = inquiries.load(inquiry_id)
            message = failure.message if not isinstance(failure, ValidationFailed) else None
            if message:
                form.survivor_id.errors = [message]
            else:
                apply_errors(form, failure)
        else:
            db.session.commit()
            flash(
                f"Inquiry #{inquiry_id} merged into this one. Its timeline, tasks and screenings moved here.", "success"
            )
            return redirect(url_for("inquiries.detail", inquiry_id=survivor.id))
    return _render_detail(inquiry, 400, merge_form=form, failed_action="merge_form")
