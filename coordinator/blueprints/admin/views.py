"""Admin pages for staff accounts (list, add, edit, deactivate, reactivate, reset a password)
and the audit log search."""

from flask import current_app, flash, redirect, render_template, request, url_for

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
    press_button,
)
from coordinator.blueprints.clinic import me
from coordinator.blueprints.filters import read_filters
from coordinator.blueprints.forms import submit
from coordinator.roles import Role
from coordinator.services import accounts, audit_search, mfa, user_directory


def _hash_profile() -> str:
    return current_app.config["PASSWORD_HASH_PROFILE"]


@bp.route("/users")
@security.roles(Role.ADMIN)
def users():
    form, criteria = read_filters(UserFilterForm)
    page = user_directory.search_users(me(), criteria, current_app.config["USERS_PAGE_SIZE"])
    return render_template("admin/users.html", form=form, page=page)


@bp.route("/users/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit() and (user := submit(form, accounts.create_user, me(), profile=_hash_profile())):
        flash(f"Account created for {user.full_name}. They must choose a new password at first sign-in.", "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def edit_user(user_id: int):
    if request.method == "GET":
        user = user_directory.open_user(me(), user_id)
        form = EditUserForm(obj=user)
    else:
        user = user_directory.load_user(user_id)
        form = EditUserForm()
    if form.validate_on_submit() and submit(form, accounts.update_user, me(), user):
        flash("Changes saved.", "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    sessions = user_directory.open_sessions(user.id)
    return render_template("admin/user_edit.html", form=form, user=user, confirm=ConfirmForm(), sessions=sessions)


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@security.roles(Role.ADMIN)
def deactivate_user(user_id: int):
    user = user_directory.load_user(user_id)
    press_button(
        ConfirmForm(), accounts.deactivate_user, me(), user, done="Account deactivated; its sessions were ended."
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@security.roles(Role.ADMIN)
def reactivate_user(user_id: int):
    user = user_directory.load_user(user_id)
    press_button(ConfirmForm(), accounts.reactivate_user, me(), user, done="Account reactivated.")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@security.roles(Role.ADMIN)
def unlock_sign_in(user_id: int):
    user = user_directory.load_user(user_id)
    press_button(
        ConfirmForm(), accounts.unlock_sign_in, me(), user, done="Sign-in unlocked: failed attempts no longer count."
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/mfa/reset", methods=["POST"])
@security.roles(Role.ADMIN)
def reset_mfa(user_id: int):
    user = user_directory.load_user(user_id)
    press_button(
        ConfirmForm(), mfa.reset_by_admin, me(), user, done="Multi-factor sign-in reset; the person's sessions ended."
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def reset_password(user_id: int):
    user = user_directory.load_user(user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit() and submit(form, accounts.reset_password, me(), user, profile=_hash_profile()):
        flash("Temporary password set. The person must choose their own at next sign-in.", "success")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/reset_password.html", form=form, user=user)


@bp.route("/audit")
@security.roles(Role.ADMIN)
def audit_log():
    form, criteria = read_filters(AuditFilterForm, "Some filters were not valid and were ignored.")
    form.actor.choices = choices(audit_search.actor_choices())
    page = audit_search.search(me(), criteria, current_app.config["AUDIT_PAGE_SIZE"])
    return render_template("admin/audit.html", form=form, page=page, action_label=audit_search.action_label)
