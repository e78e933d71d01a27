"""Admin pages for payers (reference data)."""

from flask import abort, flash, redirect, render_template, request, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.program_forms import PayerForm
from coordinator.blueprints.clinic import me as _me
from coordinator.blueprints.forms import apply_errors
from coordinator.errors import ValidationFailed
from coordinator.extensions import db
from coordinator.models import Payer
from coordinator.roles import Role
from coordinator.services import payers


def _form_data(form: PayerForm) -> dict:
    return {
        "name": form.name.data,
        "payer_code": form.payer_code.data,
        "phone": form.phone.data,
        "notes": form.notes.data,
        "is_active": form.is_active.data,
    }


@bp.route("/payers")
@security.roles(Role.ADMIN)
def payers_list():
    return render_template("admin/payers.html", payers=payers.all_payers())


@bp.route("/payers/new", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def new_payer():
    form = PayerForm()
    if form.validate_on_submit():
        try:
            payers.create_payer(_me(), _form_data(form))
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Payer added.", "success")
            return redirect(url_for("admin.payers_list"))
    return render_template("admin/payer_form.html", form=form, payer=None), 400 if form.errors else 200


@bp.route("/payers/<int:payer_id>", methods=["GET", "POST"])
@security.roles(Role.ADMIN)
def edit_payer(payer_id: int):
    payer = db.session.get(Payer, payer_id)
    if payer is None:
        abort(404)
    form = PayerForm(obj=payer) if request.method == "GET" else PayerForm()
    if form.validate_on_submit():
        try:
            payers.update_payer(_me(), payer, _form_data(form))
        except ValidationFailed as failure:
            db.session.rollback()
            apply_errors(form, failure)
        else:
            db.session.commit()
            flash("Payer saved.", "success")
            return redirect(url_for("admin.payers_list"))
    return render_template("admin/payer_form.html", form=form, payer=payer), 400 if form.errors else 200
