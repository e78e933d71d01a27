from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.forms import (
    AuditFilterForm,
    ConfirmForm,
    EditUserForm,
    NewUserForm,
    ResetPasswordForm,
    UserFilterForm,
    choices,
)
from coordinator.blueprints.forms import apply_errors
from coordinator.domain.audit import AuditAction
from coordinator.errors import NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.roles import Role
from coordinator.services import accounts, audit, audit_search, user_directory


def _me():
    return current_user._get_current_object()


def _user_or_404(user_id: int):
    user = user_directory.get_user(user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users")
@security.roles(Role.ADMIN)
def users():
    form = UserFilterForm(request.args)
    if not form.validate():
        form = UserFilterForm(formdata=None)
    page = user_directory.search_users(
        query=form.q.data,
        role=form.role.data or None,
        status=form.status.data or None,
        page=form.page.data or 1,
        per_page=current_app.config["USERS_PAGE_SIZE"],
    )
    audit.record(_me(), AuditAction.USERS_LISTED, "user", None)
    db.session.commit()
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = accounts.create_user(
                _me(),
                email=form.email.data,
                full_name=form.full_name.data,
                role=form.role.data,
                discipline=form.discipline.data,
                password=form.password.data,
                profile=current_app.config["PASSWORD_HASH_PROFILE"],
            )
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash(f"Account created for {user.full_name}. They must choose a new password at first sign-in.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = EditUserForm(obj=user)
    if form.validate_on_submit():
        try:
            accounts.update_user(
                _me(), user, full_name=form.full_name.data, role=form.role.data, discipline=form.discipline.data
            )
        except ValidationFailed as failure:
            db.session.rollback()
            user = _user_or_404(user_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Changes saved.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    else:
        audit.record(_me(), AuditAction.USER_VIEWED, "user", user.id)
        db.session.commit()
    return render_template(
        "admin/user_edit.html",
        form=form,
        user=user,
        confirm=ConfirmForm(),
        sessions=user_directory.open_sessions(user.id),
    )


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@security.roles(Role.ADMIN)
def deactivate_user(user_id: int):
    return _change_status(user_id, accounts.deactivate_user, "Account deactivated; its sessions were ended.")


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@security.roles(Role.ADMIN)
def reactivate_user(user_id: int):
    return _change_status(user_id, accounts.reactivate_user, "Account reactivated.")


def _change_status(user_id: int, operation, success_message: str):
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit():
        try:
            operation(_me(), user)
        except NotPermitted as refusal:
            db.session.rollback()
            flash(refusal.message, "danger")
        else:
            db.session.commit()
            flash(success_message, "success")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def reset_password(user_id: int):
    user = _user_or_404(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(_me(), user, form.password.data, current_app.config["PASSWORD_HASH_PROFILE"])
        except ValidationFailed as failure:
            db.session.rollback()
            user = _user_or_404(user_id)
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Temporary password set. The person must choose their own at next sign-in.", "success")
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/reset_password.html", form=form, user=user)


@bp.route("/audit")
@security.roles(Role.ADMIN)
def audit_log():
    form = AuditFilterForm(request.args)
    form.actor.choices = choices(audit_search.actor_choices())
    if not form.validate():
        flash("Some filters were not valid and were ignored.", "warning")
        form = AuditFilterForm(formdata=None)
        form.actor.choices = choices(audit_search.actor_choices())
    criteria = audit_search.AuditCriteria.from_form(form.data, current_app.config["DISPLAY_TIMEZONE"])
    page = audit_search.search(criteria, page=form.page.data or 1, per_page=current_app.config["AUDIT_PAGE_SIZE"])
    audit.record(_me(), AuditAction.AUDIT_LOG_VIEWED, "audit_event", None)
    db.session.commit()
    return render_template("admin/audit.html", form=form, page=page, action_label=audit_search.action_label)
