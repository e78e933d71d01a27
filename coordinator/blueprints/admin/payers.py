"""Admin pages for payers (reference data)."""

from flask import flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.program_forms import PayerForm
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import submit
from coordinator.roles import Role
from coordinator.services import payers


@bp.route("/payers")
@security.roles(Role.ADMIN)
def payers_list():
    return render_template("admin/payers.html", payers=payers.all_payers())


@bp.route("/payers/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_payer():
    form = PayerForm()
    if form.validate_on_submit() and submit(form, payers.create_payer, me()):
        flash("Payer added.", "success")
        return redirect(url_for("admin.payers_list"))
    return render_template("admin/payer_form.html", form=form, payer=None), 400 if form.errors else 200


@bp.route("/payers/<int:payer_id>", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def edit_payer(payer_id: int):
    payer = payers.load(payer_id)
    form = PayerForm(obj=payer) if request.method == "GET" else PayerForm()
    if form.validate_on_submit() and submit(form, payers.update_payer, me(), payer):
        flash("Payer saved.", "success")
        return redirect(url_for("admin.payers_list"))
    return render_template("admin/payer_form.html", form=form, payer=payer), 400 if form.errors else 200
