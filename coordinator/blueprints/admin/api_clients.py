"""Admin pages for API clients: list them, issue a key (shown once), revoke a key."""

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.api_client_forms import NewApiClientForm
from coordinator.blueprints.admin.forms import ConfirmForm
from coordinator.blueprints.forms import apply_errors
from coordinator.domain.audit import AuditAction
from coordinator.errors import NotPermitted, ValidationFailed
from coordinator.extensions import db
from coordinator.roles import Role
from coordinator.services import api_clients, audit


@bp.route("/api-clients")
@security.roles(Role.ADMIN)
def api_clients_list():
    clients = api_clients.list_clients()
    audit.record(current_user._get_current_object(), AuditAction.API_CLIENTS_LISTED, "api_client", None)
    db.session.commit()
    return render_template("admin/api_clients.html", clients=clients, confirm=ConfirmForm())


@bp.route("/api-clients/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_api_client():
    form = NewApiClientForm()
    if form.validate_on_submit():
        try:
            issued = api_clients.create_client(current_user._get_current_object(), form.name.data)
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            # Rendered, not redirected: the key exists only in this one response (sent no-store).
            return render_template("admin/api_client_created.html", client=issued.client, key=issued.key)
    return render_template("admin/api_client_new.html", form=form), 400 if form.errors else 200


@bp.route("/api-clients/<int:client_id>/revoke", methods=["POST"])
@security.roles(Role.ADMIN)
def revoke_api_client(client_id: int):
    client = api_clients.get_client(client_id)
    if client is None:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            api_clients.revoke_client(current_user._get_current_object(), client)
        except NotPermitted as refusal:
            db.session.rollback()
            flash(refusal.message, "warning")
        else:
            db.session.commit()
            flash(f"The key for {client.name} was revoked. Calls with it are refused from now on.", "success")
    return redirect(url_for("admin.api_clients_list"))
