"""The clinic's details for printed papers, edited on the settings page (beside the clinical
lead): the form, and the view that saves it. The settings page itself is `reminders.reminder_settings`."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from wtforms import TextAreaField

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.reminder_forms import ClinicalLeadForm, RoundRobinForm
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import ContractForm, submit, text_input
from coordinator.contracts.clinic_details import SETTING_LIMIT, ClinicDetailsInput
from coordinator.roles import Role
from coordinator.services import clinic_details, clinical_lead, speed_to_lead


def _area(label: str, description: str) -> TextAreaField:
    return TextAreaField(label, description=description, render_kw={"rows": 2, "maxlength": SETTING_LIMIT})


class ClinicDetailsForm(ContractForm):
    contract = ClinicDetailsInput

    name = text_input("Clinic name", SETTING_LIMIT, "At the top of every quote, estimate and statement.")
    address = _area("Address", "As it should be printed, on up to a few lines.")
    phone = text_input("Phone", 40, autocomplete="off")
    email = text_input("Email", SETTING_LIMIT, type="email", autocomplete="off")
    payment_details = _area("How to pay", "Bank, account name and number, or other ways to pay (no card numbers).")
    billed_separately = _area(
        "Billed separately (standard wording)",
        "Printed on estimates, and on quotes that do not list it themselves, e.g. medication, "
        "extra psychiatric consultations, hospital visits, transport.",
    )


def settings_page(clinic_form: ClinicDetailsForm | None = None, lead_form=None, status: int = 200, care_form=None):
    """The settings page with its forms (a failed one shown with its problems): the clinical lead,
    the clinic's details, the round-robin of new inquiries and the care settings."""
    from coordinator.blueprints.admin.care_settings import CareSettingsForm  # noqa: PLC0415 (it imports this)

    lead_form = lead_form or ClinicalLeadForm.for_lead(
        clinical_lead.current(), clinical_lead.candidates(), submitted=False
    )
    clinic_form = clinic_form or ClinicDetailsForm(formdata=None, obj=clinic_details.current())
    return render_template(
        "admin/reminder_settings.html",
        form=lead_form,
        clinic_form=clinic_form,
        lead=clinical_lead.current(),
        role_counts=clinical_lead.active_counts_by_role(),
        round_robin=speed_to_lead.round_robin_enabled(),
        round_robin_form=RoundRobinForm(formdata=None),
        on_duty=speed_to_lead.on_duty_users(),
        care_form=care_form or CareSettingsForm.current(),
    ), status


@bp.route("/settings/clinic", methods=["POST"])
@security.roles(Role.ADMIN)
def clinic_settings():
    form = ClinicDetailsForm()
    if form.validate_on_submit() and submit(form, clinic_details.save, me()):
        flash("Clinic details saved. Quotes, estimates and statements print them from now on.", "success")
        return redirect(url_for("admin.reminder_settings") + "#clinic-details")
    return settings_page(clinic_form=form, status=400)
