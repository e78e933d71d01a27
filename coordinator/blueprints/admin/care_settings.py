"""The clinic's care settings on the settings page: the detox-first placement thresholds and the
days between level-of-care reviews per level (`services/care_settings.py`)."""

from __future__ import annotations

from flask import flash, redirect, url_for

from coordinator import security
from coordinator.blueprints.admin import bp
from coordinator.blueprints.admin.clinic_details import settings_page
from coordinator.blueprints.clinic import me
from coordinator.blueprints.forms import ContractForm, submit, text_input
from coordinator.contracts.care_settings import CareSettingsInput
from coordinator.roles import Role
from coordinator.services import care_settings


def _number(label: str, description: str | None = None):
    return text_input(label, 6, description, inputmode="numeric", autocomplete="off")


class CareSettingsForm(ContractForm):
    contract = CareSettingsInput

    very_high_mme = _number("Very high opioid load (MME/day)", "At or above this, detox at the partner hospital first.")
    high_dose_long_acting_mme = _number(
        "High-dose long-acting opioid (MME/day)",
        "Methadone or a fentanyl patch at or above this: hospital detox first.",
    )
    detox_cows_score = _number("COWS score for hospital detox", "Withdrawal at or above this score (0–48).")
    recent_overdose_months = _number(
        "Recent overdose (months)", "An overdose this recent sends a person to hospital detox first."
    )
    review_days_residential = _number("Residential")
    review_days_php = _number("PHP")
    review_days_iop = _number("IOP")
    review_days_virtual_iop = _number("Virtual IOP")

    @classmethod
    def current(cls) -> CareSettingsForm:
        return cls(formdata=None, data=care_settings.current().form_data())


@bp.route("/settings/care", methods=["POST"])
@security.roles(Role.ADMIN)
def care_settings_save():
    form = CareSettingsForm()
    if form.validate_on_submit() and submit(form, care_settings.save, me()):
        flash("Care settings saved. Recommendations and review reminders use them from now on.", "success")
        return redirect(url_for("admin.reminder_settings") + "#care-settings")
    return settings_page(care_form=form, status=400)
