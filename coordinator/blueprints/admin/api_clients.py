"""Admin pages for API clients: list them, issue a key (shown once), revoke a key."""

from flask import redirect, render_template, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.api_client_forms import NewApiClientForm
from coordinator.blueprints.admin.forms import ConfirmForm, press_button
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.roles import Role
from coordinator.services import api_clients


@bp.route("/api-clients")
@security.roles(Role.ADMIN)
def api_clients_list():
    return render_template("admin/api_clients.html", clients=api_clients.list_clients(me()), confirm=ConfirmForm())


@bp.route("/api-clients/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_api_client():
    form = NewApiClientForm()
    if form.validate_on_submit() and (issued := submit(form, api_clients.create_client, me())):
        # Rendered, not redirected: the key exists only in this one response (sent no-store).
        return render_template("admin/api_client_created.html", client=issued.client, key=issued.key)
    return render_template("admin/api_client_new.html", form=form), 400 if form.errors else 200


@bp.route("/api-clients/<int:client_id>/revoke", methods=["POST"])
@security.roles(Role.ADMIN)
def revoke_api_client(client_id: int):
    client = api_clients.load_client(client_id)
    done = f"The key for {client.name} was revoked. Calls with it are refused from now on."
    press_button(ConfirmForm(), api_clients.revoke_client, me(), client, done=done, refused="warning")
    return redirect(url_for("admin.api_clients_list"))
